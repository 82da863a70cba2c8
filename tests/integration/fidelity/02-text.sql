-- Text: empty vs NULL, padding, CSV's special characters, unicode, a
-- 100 kB value, every byte in bytea.
select '' as empty, null::text as null_text, ' ' as space, 'NULL' as word_null,
       'null' as lower_null, '\N' as backslash_n;

select 'a,b' as comma, 'say "hi"' as quotes, '"' as one_quote, '""' as two_quotes,
       E'line1\nline2' as lf, E'line1\r\nline2' as crlf, E'cr\ronly' as cr,
       E'tab\there' as tab, '\.' as end_marker, E'\\.' as also_end_marker,
       '\' as backslash, E'trailing\n' as trailing_lf, E'\n' as just_lf;

select 'abc'::char(6) as padded, 'abc'::varchar(6) as varchar, ''::char(3) as empty_char,
       'x'::char as one_char, 'abc'::name as name, repeat('n', 63)::name as long_name,
       'abcdef'::varchar(3) as cut, 'ab  '::char(4) || '|' as concat;

select 'emoji 😀🎉👩‍👩‍👧‍👦' as emoji, 'é' as precomposed, E'e\u0301' as combining,
       'עברית' as hebrew, 'مرحبا' as arabic, E'\u202Eright-to-left override' as rlo,
       '日本語テキスト' as cjk, E'zero\u200Bwidth' as zwsp, E'\u00A0nbsp' as nbsp,
       E'bell\u0007' as control, E'del\u007F' as del, E'c1\u0085' as c1_control,
       'Ω≈ç√∫' as math;

select length(x) as len, md5(x) as md5, x
from (select repeat('0123456789abcdef', 6400) as x) v;

select string_agg(chr(c), '' order by c) as printable_ascii
from generate_series(32, 126) c;

select decode(string_agg(lpad(to_hex(b), 2, '0'), '' order by b), 'hex') as all_bytes
from generate_series(0, 255) b;

select ''::bytea as empty_bytea, '\x00'::bytea as nul, 'abc'::bytea as abc,
       null::bytea as null_bytea;

select c as "column, with comma", c as "quoted ""name""", c as "new
line", c as "ünïcödé", c as " " from (values ('v')) t(c);
