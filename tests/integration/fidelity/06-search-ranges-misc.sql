-- Full text search, xml, ranges and multiranges, system types.
select 'a fat cat sat on a mat and ate a fat rat'::tsvector as tsv,
       to_tsvector('english', 'The quick brown foxes jumped') as english,
       'fat & (rat | cat) & !dog'::tsquery as query, ''::tsvector as empty,
       $$'it''s' 'back\\slash' 'sp ace':1A,2B$$::tsvector as quoted;

select '<a b="1">text &amp; more</a>'::xml as element, 'just text'::xml as content,
       xmlelement(name x, xmlattributes('a"b' as y), 'c<d') as built,
       '<?xml version="1.0"?><r/>'::xml as with_decl, null::xml as null_xml;

select '[1,10)'::int4range as r, '(,)'::int4range as unbounded, 'empty'::int4range as empty,
       '[1,10]'::int4range as canonicalised, '[1.5,2.5]'::numrange as numrange,
       '[-9223372036854775808,0)'::int8range as int8range,
       '[2024-01-01,2024-02-01)'::daterange as daterange, '[2024-01-01,infinity)'::daterange as open_date,
       '["2024-01-01 00:00","2024-01-02 00:00")'::tsrange as tsrange;

set timezone = 'Europe/Berlin';
select '[2024-01-01 00:00+00,2024-07-01 00:00+00)'::tstzrange as tstzrange,
       '{[1,3), [5,7), [2,4)}'::int4multirange as merged, '{}'::int4multirange as empty_multi,
       '{[2024-01-01,2024-01-05), (2024-02-01,infinity)}'::datemultirange as dates,
       '{[1.5,2], [3,4)}'::nummultirange as nums,
       '{["2024-01-01 00:00+00","2024-06-01 00:00+00")}'::tstzmultirange as tstz_multi;
reset timezone;

select '16/B374D848'::pg_lsn as lsn, '0/0'::pg_lsn as lsn_zero, 'FFFFFFFF/FFFFFFFF'::pg_lsn as lsn_max,
       '10:20:10,14,15'::txid_snapshot as txid_snapshot, '10:20:10,14,15'::pg_snapshot as snapshot,
       '100:100:'::pg_snapshot as empty_snapshot;

select 'pg_class'::regclass as regclass, 'integer'::regtype as regtype,
       'character varying'::regtype as varchar_type, 'now'::regproc as regproc,
       'pg_catalog'::regnamespace as regnamespace, 'english'::regconfig as regconfig,
       '+(int4,int4)'::regoperator as regoperator, 'sum(int4)'::regprocedure as regprocedure,
       'pg_class'::regclass::oid as class_oid, 'postgres'::regrole as regrole;

select '(0,1)'::tid as tid, 'a'::"char" as char1, ''::"char" as char_empty,
       '{=r/postgres}'::aclitem[] as acl, 'hello'::refcursor as cursor_name,
       pg_size_pretty(123456789::bigint) as size;
