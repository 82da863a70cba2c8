/* format_type() for built-in types: a table made from a real PostgreSQL 15
 * server (select oid, format_type(oid, -1) from pg_type where oid < 10000,
 * rechecked against the server by tests/integration/test-meta-types.c) and
 * the typmod output functions of the types that take modifiers. */
#include "daemon/db/meta-types.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct builtin {
	uint32_t oid;
	const char *name;
};

/* Sorted by oid. */
static const struct builtin builtins[] = {
    {16, "boolean"},
    {17, "bytea"},
    {18, "\"char\""},
    {19, "name"},
    {20, "bigint"},
    {21, "smallint"},
    {22, "int2vector"},
    {23, "integer"},
    {24, "regproc"},
    {25, "text"},
    {26, "oid"},
    {27, "tid"},
    {28, "xid"},
    {29, "cid"},
    {30, "oidvector"},
    {32, "pg_ddl_command"},
    {71, "pg_type"},
    {75, "pg_attribute"},
    {81, "pg_proc"},
    {83, "pg_class"},
    {114, "json"},
    {142, "xml"},
    {143, "xml[]"},
    {194, "pg_node_tree"},
    {199, "json[]"},
    {210, "pg_type[]"},
    {269, "table_am_handler"},
    {270, "pg_attribute[]"},
    {271, "xid8[]"},
    {272, "pg_proc[]"},
    {273, "pg_class[]"},
    {325, "index_am_handler"},
    {600, "point"},
    {601, "lseg"},
    {602, "path"},
    {603, "box"},
    {604, "polygon"},
    {628, "line"},
    {629, "line[]"},
    {650, "cidr"},
    {651, "cidr[]"},
    {700, "real"},
    {701, "double precision"},
    {705, "unknown"},
    {718, "circle"},
    {719, "circle[]"},
    {774, "macaddr8"},
    {775, "macaddr8[]"},
    {790, "money"},
    {791, "money[]"},
    {829, "macaddr"},
    {869, "inet"},
    {1000, "boolean[]"},
    {1001, "bytea[]"},
    {1002, "\"char\"[]"},
    {1003, "name[]"},
    {1005, "smallint[]"},
    {1006, "int2vector[]"},
    {1007, "integer[]"},
    {1008, "regproc[]"},
    {1009, "text[]"},
    {1010, "tid[]"},
    {1011, "xid[]"},
    {1012, "cid[]"},
    {1013, "oidvector[]"},
    {1014, "bpchar[]"},
    {1015, "character varying[]"},
    {1016, "bigint[]"},
    {1017, "point[]"},
    {1018, "lseg[]"},
    {1019, "path[]"},
    {1020, "box[]"},
    {1021, "real[]"},
    {1022, "double precision[]"},
    {1027, "polygon[]"},
    {1028, "oid[]"},
    {1033, "aclitem"},
    {1034, "aclitem[]"},
    {1040, "macaddr[]"},
    {1041, "inet[]"},
    {1042, "bpchar"},
    {1043, "character varying"},
    {1082, "date"},
    {1083, "time without time zone"},
    {1114, "timestamp without time zone"},
    {1115, "timestamp without time zone[]"},
    {1182, "date[]"},
    {1183, "time without time zone[]"},
    {1184, "timestamp with time zone"},
    {1185, "timestamp with time zone[]"},
    {1186, "interval"},
    {1187, "interval[]"},
    {1231, "numeric[]"},
    {1248, "pg_database"},
    {1263, "cstring[]"},
    {1266, "time with time zone"},
    {1270, "time with time zone[]"},
    {1560, "\"bit\""},
    {1561, "\"bit\"[]"},
    {1562, "bit varying"},
    {1563, "bit varying[]"},
    {1700, "numeric"},
    {1790, "refcursor"},
    {2201, "refcursor[]"},
    {2202, "regprocedure"},
    {2203, "regoper"},
    {2204, "regoperator"},
    {2205, "regclass"},
    {2206, "regtype"},
    {2207, "regprocedure[]"},
    {2208, "regoper[]"},
    {2209, "regoperator[]"},
    {2210, "regclass[]"},
    {2211, "regtype[]"},
    {2249, "record"},
    {2275, "cstring"},
    {2276, "\"any\""},
    {2277, "anyarray"},
    {2278, "void"},
    {2279, "trigger"},
    {2280, "language_handler"},
    {2281, "internal"},
    {2283, "anyelement"},
    {2287, "record[]"},
    {2776, "anynonarray"},
    {2842, "pg_authid"},
    {2843, "pg_auth_members"},
    {2949, "txid_snapshot[]"},
    {2950, "uuid"},
    {2951, "uuid[]"},
    {2970, "txid_snapshot"},
    {3115, "fdw_handler"},
    {3220, "pg_lsn"},
    {3221, "pg_lsn[]"},
    {3310, "tsm_handler"},
    {3361, "pg_ndistinct"},
    {3402, "pg_dependencies"},
    {3500, "anyenum"},
    {3614, "tsvector"},
    {3615, "tsquery"},
    {3642, "gtsvector"},
    {3643, "tsvector[]"},
    {3644, "gtsvector[]"},
    {3645, "tsquery[]"},
    {3734, "regconfig"},
    {3735, "regconfig[]"},
    {3769, "regdictionary"},
    {3770, "regdictionary[]"},
    {3802, "jsonb"},
    {3807, "jsonb[]"},
    {3831, "anyrange"},
    {3838, "event_trigger"},
    {3904, "int4range"},
    {3905, "int4range[]"},
    {3906, "numrange"},
    {3907, "numrange[]"},
    {3908, "tsrange"},
    {3909, "tsrange[]"},
    {3910, "tstzrange"},
    {3911, "tstzrange[]"},
    {3912, "daterange"},
    {3913, "daterange[]"},
    {3926, "int8range"},
    {3927, "int8range[]"},
    {4066, "pg_shseclabel"},
    {4072, "jsonpath"},
    {4073, "jsonpath[]"},
    {4089, "regnamespace"},
    {4090, "regnamespace[]"},
    {4096, "regrole"},
    {4097, "regrole[]"},
    {4191, "regcollation"},
    {4192, "regcollation[]"},
    {4451, "int4multirange"},
    {4532, "nummultirange"},
    {4533, "tsmultirange"},
    {4534, "tstzmultirange"},
    {4535, "datemultirange"},
    {4536, "int8multirange"},
    {4537, "anymultirange"},
    {4538, "anycompatiblemultirange"},
    {4600, "pg_brin_bloom_summary"},
    {4601, "pg_brin_minmax_multi_summary"},
    {5017, "pg_mcv_list"},
    {5038, "pg_snapshot"},
    {5039, "pg_snapshot[]"},
    {5069, "xid8"},
    {5077, "anycompatible"},
    {5078, "anycompatiblearray"},
    {5079, "anycompatiblenonarray"},
    {5080, "anycompatiblerange"},
    {6101, "pg_subscription"},
    {6150, "int4multirange[]"},
    {6151, "nummultirange[]"},
    {6152, "tsmultirange[]"},
    {6153, "tstzmultirange[]"},
    {6155, "datemultirange[]"},
    {6157, "int8multirange[]"},
};

const char *meta_builtin_type_name(uint32_t oid)
{
	size_t lo = 0, hi = sizeof(builtins) / sizeof(builtins[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (builtins[mid].oid == oid)
			return builtins[mid].name;
		if (builtins[mid].oid < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

#define VARHDRSZ 4

/* interval's field masks (datetime.h): 1 << MONTH, YEAR, DAY, HOUR,
 * MINUTE, SECOND. */
enum {
	IV_MONTH = 1 << 1,
	IV_YEAR = 1 << 2,
	IV_DAY = 1 << 3,
	IV_HOUR = 1 << 10,
	IV_MINUTE = 1 << 11,
	IV_SECOND = 1 << 12,
	IV_FULL_RANGE = 0x7FFF,
	IV_FULL_PRECISION = 0xFFFF,
};

static const char *interval_fields(int range)
{
	switch (range) {
	case IV_YEAR:
		return " year";
	case IV_MONTH:
		return " month";
	case IV_DAY:
		return " day";
	case IV_HOUR:
		return " hour";
	case IV_MINUTE:
		return " minute";
	case IV_SECOND:
		return " second";
	case IV_YEAR | IV_MONTH:
		return " year to month";
	case IV_DAY | IV_HOUR:
		return " day to hour";
	case IV_DAY | IV_HOUR | IV_MINUTE:
		return " day to minute";
	case IV_DAY | IV_HOUR | IV_MINUTE | IV_SECOND:
		return " day to second";
	case IV_HOUR | IV_MINUTE:
		return " hour to minute";
	case IV_HOUR | IV_MINUTE | IV_SECOND:
		return " hour to second";
	case IV_MINUTE | IV_SECOND:
		return " minute to second";
	case IV_FULL_RANGE:
		return "";
	default:
		return NULL;
	}
}

/* The element type of the built-in arrays whose element takes a typmod. */
static uint32_t element_of(uint32_t oid)
{
	static const uint32_t pairs[][2] = {
	    {1014, 1042}, {1015, 1043}, {1231, 1700}, {1183, 1083}, {1115, 1114},
	    {1185, 1184}, {1270, 1266}, {1187, 1186}, {1561, 1560}, {1563, 1562},
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (pairs[i][0] == oid)
			return pairs[i][1];
	return 0;
}

/* format_type_extended() with a typmod >= 0, for one element type. */
static bool with_typmod(uint32_t oid, int32_t typmod, char *buf, size_t size)
{
	int n;
	switch (oid) {
	case 1042: /* bpchar: length + VARHDRSZ; bpchartypmodout */
	case 1043: {
		const char *name = oid == 1042 ? "character" : "character varying";
		n = typmod > VARHDRSZ ? snprintf(buf, size, "%s(%d)", name, typmod - VARHDRSZ)
		                      : snprintf(buf, size, "%s", name);
		break;
	}
	case 1700: { /* numeric: (precision << 16 | scale & 0x7ff) + VARHDRSZ */
		int32_t t = typmod - VARHDRSZ;
		int precision = (t >> 16) & 0xFFFF;
		int scale = ((t & 0x7FF) ^ 1024) - 1024;
		n = snprintf(buf, size, "numeric(%d,%d)", precision, scale);
		break;
	}
	case 1083:
		n = snprintf(buf, size, "time(%d) without time zone", typmod);
		break;
	case 1266:
		n = snprintf(buf, size, "time(%d) with time zone", typmod);
		break;
	case 1114:
		n = snprintf(buf, size, "timestamp(%d) without time zone", typmod);
		break;
	case 1184:
		n = snprintf(buf, size, "timestamp(%d) with time zone", typmod);
		break;
	case 1186: {
		const char *fields = interval_fields((typmod >> 16) & 0x7FFF);
		int precision = typmod & 0xFFFF;
		if (!fields)
			return false;
		n = precision != IV_FULL_PRECISION
		        ? snprintf(buf, size, "interval%s(%d)", fields, precision)
		        : snprintf(buf, size, "interval%s", fields);
		break;
	}
	case 1560:
		n = snprintf(buf, size, "bit(%d)", typmod);
		break;
	case 1562:
		n = snprintf(buf, size, "bit varying(%d)", typmod);
		break;
	default:
		return false;
	}
	return n > 0 && (size_t)n < size;
}

char *meta_builtin_format_type(uint32_t oid, int32_t typmod)
{
	if (typmod < 0) {
		const char *name = meta_builtin_type_name(oid);
		return name ? strdup(name) : NULL;
	}
	char buf[96];
	uint32_t elem = element_of(oid);
	if (!with_typmod(elem ? elem : oid, typmod, buf, sizeof(buf) - 2))
		return NULL;
	if (elem)
		strcat(buf, "[]");
	return strdup(buf);
}
