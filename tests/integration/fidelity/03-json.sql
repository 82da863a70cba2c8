-- json keeps its text as sent; jsonb normalises. Duplicate keys, big and
-- precise numbers, escapes; uuid.
select '{"a": 1, "a": 2}'::json as dup_json, '{"a": 1, "a": 2}'::jsonb as dup_jsonb;

select '  {"spaced" :  [1, 2 ,3] }  '::json as spaced_json,
       '  {"spaced" :  [1, 2 ,3] }  '::jsonb as spaced_jsonb;

select '12345678901234567890123'::json as big_json, '12345678901234567890123'::jsonb as big_jsonb,
       '0.1000000000000000055511151231257827'::jsonb as precise,
       '1e400'::jsonb as huge_exp, '-0'::json as neg_zero_json, '-0'::jsonb as neg_zero_jsonb,
       '1.000'::jsonb as trailing_zeros, '[1e-400]'::jsonb as tiny;

select '{"esc": "\u00e9\ud83d\ude00\n\t\"\\/"}'::json as escapes_json,
       '{"esc": "\u00e9\ud83d\ude00\n\t\"\\/"}'::jsonb as escapes_jsonb,
       '"\u0000"'::json as nul_escape_json;

select 'null'::json as json_null, 'null'::jsonb as jsonb_null, null::jsonb as sql_null,
       '"just a string"'::jsonb as string, 'true'::jsonb as bool, '[]'::jsonb as empty_array,
       '{}'::json as empty_object, '[[[[1]]]]'::jsonb as nested;

select jsonb_build_object('k', 'v', 'n', 1.5, 'arr', jsonb_build_array(1, null, 'x'),
                          'obj', jsonb_build_object('z', true)) as built,
       json_build_object('b', 2, 'a', 1) as order_kept,
       to_jsonb(9223372036854775807::int8) as int8_max,
       to_json('comma, "quote"'::text) as quoted;

select '00000000-0000-0000-0000-000000000000'::uuid as nil,
       'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid as upper_in,
       '{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}'::uuid as braces_in;

select '$.a[*] ? (@ > 1)'::jsonpath as path;
