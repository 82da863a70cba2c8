-- Numbers: booleans, integer extremes, floats' special values and
-- precision edges, numeric beyond any double, money.
select true as t, false as f, null::bool as n;

select '-32768'::int2 as int2_min, 32767::int2 as int2_max,
       '-2147483648'::int4 as int4_min, 2147483647::int4 as int4_max,
       '-9223372036854775808'::int8 as int8_min, 9223372036854775807::int8 as int8_max,
       0::int8 as zero, 4294967295::oid as oid_max, 0::oid as oid_zero;

select x as float8 from (values
  ('0'::float8), ('-0'), ('NaN'), ('Infinity'), ('-Infinity'),
  ('1e-310'), ('5e-324'), ('2.2250738585072014e-308'), ('1.7976931348623157e308'),
  ('-1.7976931348623157e308'), ('0.1'), ('0.30000000000000004'), ('1e15'), ('1e14'),
  ('123456789012345.6'), ('1e-4'), ('1e-5'), ('1e23'), ('3.141592653589793'),
  ('-2.5e-7'), ('9007199254740993'), ('4.35'), ('100')) v(x);

select x as float4 from (values
  ('0'::float4), ('-0'), ('NaN'), ('Infinity'), ('-Infinity'), ('3.4028235e38'),
  ('1e-45'), ('1.1754944e-38'), ('0.1'), ('1e6'), ('123456.7'), ('16777217')) v(x);

select 0.1::float4::float8 as widened, 1::float8 / 3 as third, 2::float8 ^ 0.5 as root2;

select x as numeric from (values
  ('0'::numeric), ('-0.000'), ('NaN'), ('Infinity'), ('-Infinity'),
  ('123456789012345678901234567890123456789.123456789012345678901234567890'),
  ('0.000000000000000000000000000000000000000000000000000000000000000001'),
  ('-99999999999999999999999999999999999999999999999999'),
  ('1.50'), ('1e-20'), (1e100)) v(x);

select 12345.678::numeric(10, 2) as scaled, 1::numeric / 3 as third,
       power(2::numeric, 200) as two_200, 10::numeric ^ -30 as tiny;

select 1234.56::money as m, '-1234.56'::money as neg, 0::money as zero,
       '92233720368547758.07'::money as max, '-92233720368547758.08'::money as min;

select 1::int2 + 1 as small, 2147483647::int8 + 1 as promoted, 7 / 2 as int_div,
       7 % 3 as modulo, -7 / 2 as neg_div;

select '1'::xid as xid, '12345678901'::xid8 as xid8, '5'::cid as cid;
