-- Arrays: NULL elements vs "NULL" strings, characters that force quoting,
-- several dimensions, explicit bounds, box's ';' delimiter, arrays of
-- every kind of element.
select array['plain', 'with space', 'a,b', 'q"uote', 'back\slash', '{brace}', '', 'NULL', null,
             'null', E'new\nline', E'tab\t', ' lead', 'trail ', 'é😀'] as texts;

select array[1, null, 3] as ints, '{}'::int[] as empty, array[null]::int[] as only_null,
       array[[1, 2], [3, null]] as two_d, '{{{1,2},{3,4}},{{5,6},{7,8}}}'::int[] as three_d,
       '{{{{{{1}}}}}}'::int[] as six_d;

select '[0:2]={a,b,c}'::text[] as lower_bound_zero, '[-5:-4]={1,2}'::int[] as negative_bounds,
       '[1:2][3:4]={{1,2},{3,4}}'::int[] as two_d_bounds, ('{1,2,3}'::int[])[2:3] as slice,
       array_prepend(0, '[1:1]={1}'::int[]) as shifted;

select array[box '((1,1),(0,0))', box '((3,3),(2,2))'] as boxes,
       array[point '(1,2)', point '(3,4)'] as points, array['[1,2)'::int4range, 'empty'] as ranges,
       array['{"a":1}'::jsonb, '[1,2]', 'null', '"s"'] as jsonbs,
       array['{"a": 1, "a": 2}'::json] as json_dups;

select array[true, false, null] as bools, array[-9223372036854775808, 9223372036854775807]::int8[] as int8s,
       array['NaN', 'Infinity', '-Infinity', '-0', '1e-310', '0.1']::float8[] as floats,
       array['NaN', '1.50', '-Infinity']::numeric[] as numerics,
       array['\x00ff'::bytea, '\x', null] as byteas;

select array['2024-01-01'::date, 'infinity'] as dates, array['1 day'::interval, '-01:00'] as intervals,
       array['2024-01-01 12:00+00'::timestamptz] as tstz, array['12:00'::time] as times,
       array['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid] as uuids,
       array['192.168.0.1/24'::inet, '::1'] as inets, array[B'101', B'1'] as bits,
       array['abc'::char(5), 'x'] as padded_chars, array['(0,1)'::tid] as tids;

select array[array['a', 'b'], array['c"', 'd\']] as text_2d, array['{', '}', ',', '"', '\', ' '] as specials,
       array[row(1, 'x')] as records, array[]::text[] as empty_text, array['a']::name[] as names,
       '{"a b",c}'::varchar[] as varchars, array['a']::"char"[] as chars,
       array['fat & rat'::tsquery] as tsqueries, array['<a/>'::xml] as xmls,
       array[1::oid, 4294967295] as oids, array['1'::money] as moneys;
