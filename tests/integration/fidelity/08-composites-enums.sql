-- Composite values, enums and domains (made in pg_temp, dropped at the end).
create type pg_temp.mood as enum ('sad', 'ok', 'happy', 'with space', 'with,comma', 'quo"te');
create domain pg_temp.posint as int check (value > 0);
create domain pg_temp.email as text check (value like '%@%');
create type pg_temp.pair as (a int, b text);
create type pg_temp.outer_t as (p pg_temp.pair, tags text[], m pg_temp.mood);

select 'happy'::pg_temp.mood as happy, 'with space'::pg_temp.mood as spaced,
       'with,comma'::pg_temp.mood as comma, 'quo"te'::pg_temp.mood as quote, null::pg_temp.mood as none,
       enum_range(null::pg_temp.mood) as all_moods;

select 42::pg_temp.posint as posint, 'a@b.c'::pg_temp.email as email,
       array[1, 2]::pg_temp.posint[] as domain_array;

select row(1, 'x') as simple, row(null, '') as null_and_empty, row('a,b', 'q"x', 'back\slash') as specials,
       row(row(1, 'in"ner'), null) as nested, row() as empty_row, row(E'new\nline', ' ') as whitespace;

select (1, 'one')::pg_temp.pair as pair, ((2, 'two')::pg_temp.pair, array['t,1', null], 'ok')::pg_temp.outer_t as outer_v,
       array[(1, 'a')::pg_temp.pair, (2, null)::pg_temp.pair, null] as pair_array,
       ((3, 'x')::pg_temp.pair).b as field;

select t.* from (values (1, 'a'), (2, null)) t(id, name);
select t from (values (1, 'a'), (2, null)) t(id, name);

drop type pg_temp.outer_t;
drop type pg_temp.pair;
drop domain pg_temp.email;
drop domain pg_temp.posint;
drop type pg_temp.mood;
