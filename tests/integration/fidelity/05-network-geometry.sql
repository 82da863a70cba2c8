-- Network addresses, geometric types, bit strings.
select '192.168.1.1'::inet as host, '192.168.1.0/24'::inet as net_inet, '10.0.0.1/8'::inet as host_in_net,
       '::1'::inet as v6_loopback, '2001:db8::ff00:42:8329/64'::inet as v6, '::ffff:1.2.3.4'::inet as mapped;

select '192.168.0.0/16'::cidr as cidr, '2001:db8::/32'::cidr as v6_cidr, '10'::cidr as short_form,
       '08:00:2b:01:02:03'::macaddr as mac, '08-00-2B-01-02-03'::macaddr as mac_dashes,
       '08:00:2b:01:02:03:04:05'::macaddr8 as mac8, '08002b010203'::macaddr8 as mac8_from_6;

select '(1.5,-2)'::point as point, '{1,-1,0}'::line as line, '[(0,0),(1,1)]'::lseg as lseg,
       '((0,0),(1,1))'::box as box, '((2,2),(0,0))'::box as box_normalised,
       '[(0,0),(1,1),(2,0)]'::path as open_path, '((0,0),(1,1),(2,0))'::path as closed_path,
       '((0,0),(0,1),(1,1),(1,0))'::polygon as polygon, '<(0,0),2.5>'::circle as circle;

select '(0.1,1e-310)'::point as tiny, '(1e300,-1e300)'::point as huge,
       '(NaN,Infinity)'::point as special, point(1, 2) <-> point(4, 6) as distance;

select B'1010'::bit(4) as bits, B'1'::bit(8) as padded_err_free, B'101'::varbit as varbit,
       ''::varbit as empty_varbit, x'FF'::bit(8) as from_hex, B'1010' & B'0110' as anded;
