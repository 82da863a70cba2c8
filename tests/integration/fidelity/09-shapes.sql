-- Result shapes: a wide row, no rows, no columns, statements without rows
-- between selects, RETURNING, repeated and odd column names.
select 1 as c001,
       2 as c002,
       'v3' as c003,
       4 as c004,
       5 as c005,
       null::text as c006,
       7 as c007,
       8 as c008,
       'v9' as c009,
       10 as c010,
       11 as c011,
       null::text as c012,
       13 as c013,
       14 as c014,
       'v15' as c015,
       16 as c016,
       17 as c017,
       null::text as c018,
       19 as c019,
       20 as c020,
       'v21' as c021,
       22 as c022,
       23 as c023,
       null::text as c024,
       25 as c025,
       26 as c026,
       'v27' as c027,
       28 as c028,
       29 as c029,
       null::text as c030,
       31 as c031,
       32 as c032,
       'v33' as c033,
       34 as c034,
       35 as c035,
       null::text as c036,
       37 as c037,
       38 as c038,
       'v39' as c039,
       40 as c040,
       41 as c041,
       null::text as c042,
       43 as c043,
       44 as c044,
       'v45' as c045,
       46 as c046,
       47 as c047,
       null::text as c048,
       49 as c049,
       50 as c050,
       'v51' as c051,
       52 as c052,
       53 as c053,
       null::text as c054,
       55 as c055,
       56 as c056,
       'v57' as c057,
       58 as c058,
       59 as c059,
       null::text as c060,
       61 as c061,
       62 as c062,
       'v63' as c063,
       64 as c064,
       65 as c065,
       null::text as c066,
       67 as c067,
       68 as c068,
       'v69' as c069,
       70 as c070,
       71 as c071,
       null::text as c072,
       73 as c073,
       74 as c074,
       'v75' as c075,
       76 as c076,
       77 as c077,
       null::text as c078,
       79 as c079,
       80 as c080,
       'v81' as c081,
       82 as c082,
       83 as c083,
       null::text as c084,
       85 as c085,
       86 as c086,
       'v87' as c087,
       88 as c088,
       89 as c089,
       null::text as c090,
       91 as c091,
       92 as c092,
       'v93' as c093,
       94 as c094,
       95 as c095,
       null::text as c096,
       97 as c097,
       98 as c098,
       'v99' as c099,
       100 as c100;

select 1 as a where false;
select;
select from generate_series(1, 3);
values (1, 'one'), (2, 'two');

create temp table fidelity_t (id int primary key, name text, score float8);
insert into fidelity_t values (1, 'a', 1.5), (2, null, null), (3, '', 'NaN');
select * from fidelity_t order by id;
update fidelity_t set score = score * 2 where id < 3;
insert into fidelity_t values (4, 'd,"e"', -0.0) returning *;
update fidelity_t set name = upper(name) where id = 1 returning id, name;
delete from fidelity_t where id = 2 returning id;
delete from fidelity_t where false;
select * from fidelity_t order by id;
create temp table fidelity_copy as select * from fidelity_t;
select count(*) from fidelity_copy;
table fidelity_copy;
do $$ begin perform 1; end $$;
begin;
savepoint s1;
release savepoint s1;
commit;
drop table fidelity_copy, fidelity_t;

select 1 as x, 2 as x, 3 as "?column?", 4;
select 'a' as "A", 'b' as a, 'c' as "a ";
show standard_conforming_strings;
select n, n * n as square from generate_series(1, 12) n;
select repeat('x', n) as widening from generate_series(0, 5) n;
