-- The role the README's examples connect as (scripts/demo; tests/integration/test-readme.sh).
do $$ begin
	if not exists (select from pg_roles where rolname = 'app') then
		create role app login password 'app';
	end if;
end $$;
grant select, insert, update, delete on all tables in schema public to app;
