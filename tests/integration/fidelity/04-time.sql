-- Dates and times under several time zones and styles, infinities, BC,
-- intervals of every sign.
select '2024-02-29'::date as leap, 'infinity'::date as inf, '-infinity'::date as neg_inf,
       '0044-03-15 BC'::date as bc, '4713-01-01 BC'::date as earliest, '5874897-12-31'::date as latest;

select '12:34:56.789'::time as t, '24:00:00'::time as end_of_day, '00:00'::time as midnight,
       '12:34:56.123456+05:30'::timetz as tz, '23:59:59-12'::timetz as far_west;

select '2024-03-10 02:30:00'::timestamp as ts, 'infinity'::timestamp as inf,
       '0001-01-01 00:00:00 BC'::timestamp as bc, '294276-12-31 23:59:59.999999'::timestamp as max,
       '2024-01-01 00:00:00.5'::timestamp(0) as rounded;

set timezone = 'UTC';
select '2024-06-01 12:00:00+00'::timestamptz as summer, '2024-01-01 12:00:00+00'::timestamptz as winter,
       '1900-01-01 00:00:00+00'::timestamptz as old, '-infinity'::timestamptz as neg_inf;

set timezone = 'America/New_York';
select '2024-06-01 12:00:00+00'::timestamptz as summer, '2024-01-01 12:00:00+00'::timestamptz as winter,
       '1900-01-01 00:00:00+00'::timestamptz as old_lmt, '2024-03-10 07:30:00+00'::timestamptz as dst_gap;

set timezone = 'Asia/Kolkata';
select '2024-06-01 12:00:00+00'::timestamptz as half_hour, '1941-10-01 00:00:00+00'::timestamptz as wartime;

set timezone = 'Australia/Lord_Howe';
select '2024-01-01 12:00:00+00'::timestamptz as thirty_min_dst, '2024-07-01 12:00:00+00'::timestamptz as winter;

set timezone = 'Pacific/Kiritimati';
select '2024-01-01 12:00:00+00'::timestamptz as plus_14, '0010-01-01 00:00:00+00'::timestamptz as year_10;

set timezone = '-03:30';
select '2024-01-01 12:00:00+00'::timestamptz as posix_offset, '2024-01-01 12:00:00+00'::timetz as tz_literal;

set datestyle = 'SQL, DMY';
select '2024-02-29 13:14:15+00'::timestamptz as sql_style, '2024-02-29'::date as d;
set datestyle = 'German';
select '2024-02-29 13:14:15'::timestamp as german;
set datestyle = 'Postgres, MDY';
select '2024-02-29 13:14:15+00'::timestamptz as postgres_style, '0044-03-15 BC'::date as bc;
reset datestyle;
reset timezone;

select '1 year 2 months 3 days 04:05:06.789'::interval as mixed, '-1 day'::interval as neg_day,
       '-1 year +2 months -3 days +04:05:06'::interval as signs, '0'::interval as zero,
       '178000000 years'::interval as huge, '0.000001 seconds'::interval as micro,
       '-00:00:01'::interval as neg_second, '1 day -1 second'::interval as day_minus;

set intervalstyle = 'iso_8601';
select '1 year 2 months 3 days 04:05:06.789'::interval as iso, '-1 day'::interval as neg;
set intervalstyle = 'sql_standard';
select '1 year 2 months 3 days 04:05:06.789'::interval as sql_std, '-1 year -2 mons'::interval as neg;
set intervalstyle = 'postgres_verbose';
select '1 year 2 months 3 days 04:05:06.789'::interval as verbose, '-1 day'::interval as neg;
reset intervalstyle;

select date '2024-01-31' + interval '1 month' as month_end, age('2024-03-01', '2023-02-28') as age,
       extract(epoch from '2024-01-01 00:00:00+00'::timestamptz) as epoch;
