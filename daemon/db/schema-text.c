/* The schema cache's compact form and its streaming writer.
 *
 * A relation of a large catalog is most of the cache (10,000 tables of ten
 * columns are 100,000 column objects), and a jansson object costs about a
 * kilobyte a column. A load therefore never builds a relation as objects:
 * each row's object is written as text at once, appended to its relation's
 * member, and when the load ends every relation becomes its compact JSON
 * text (what schema.get sends anyway) in a thin array holding only what
 * lookups read: [name, kind, text]. Functions (pg_catalog has thousands)
 * are kept the same way: [name, kind, text, arguments].
 * Readers that need a relation's members parse it back
 * (schema_object_full); schema.get writes the text as it is. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "daemon/db/schema-catalog.h"
#include "daemon/db/schema-internal.h"

/* ---- building frozen relations ------------------------------------------- */

static const char *const rel_members[SCHEMA_REL_MEMBERS] = {"columns", "indexes", "constraints",
                                                            "triggers", "policies"};

struct schema_rel {
	uint32_t oid;
	json_t *thin; /* borrowed: the tree holds it */
	char *text;   /* the head's text without its closing brace, then the members */
	size_t len, cap;
	char *member[SCHEMA_REL_MEMBERS]; /* each member's items, comma separated */
	size_t mlen[SCHEMA_REL_MEMBERS], mcap[SCHEMA_REL_MEMBERS];
	long long items[SCHEMA_REL_MEMBERS];
};

static int append(char **s, size_t *len, size_t *cap, const char *add, size_t n)
{
	if (tusk_grow(s, cap, *len + n + 1, 64) < 0)
		return -1;
	memcpy(*s + *len, add, n);
	*len += n;
	(*s)[*len] = '\0';
	return 0;
}

static struct schema_rel *rel_find(struct schema_rels *r, uint32_t oid)
{
	if (!r->nslots)
		return NULL;
	for (size_t i = (oid * 2654435761u) & (r->nslots - 1);; i = (i + 1) & (r->nslots - 1)) {
		size_t k = r->slots[i];
		if (k == 0)
			return NULL;
		if (r->v[k - 1].oid == oid)
			return &r->v[k - 1];
	}
}

static int rel_index(struct schema_rels *r)
{
	size_t n = r->nslots ? r->nslots * 2 : 1024;
	size_t *slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t k = 0; k < r->n; k++) {
		size_t i = (r->v[k].oid * 2654435761u) & (n - 1);
		while (slots[i])
			i = (i + 1) & (n - 1);
		slots[i] = k + 1;
	}
	free(r->slots);
	r->slots = slots;
	r->nslots = n;
	return 0;
}

/* The entry of oid, made empty (no head yet) when new: a load runs its
 * queries on several backends, so a relation's members may come first. */
static struct schema_rel *rel_get(struct schema_rels *r, uint32_t oid)
{
	struct schema_rel *rel = rel_find(r, oid);
	if (rel)
		return rel;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct schema_rel *v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		r->v = v;
		r->cap = cap;
	}
	if ((r->n + 1) * 2 > r->nslots && rel_index(r) < 0)
		return NULL;
	rel = &r->v[r->n];
	memset(rel, 0, sizeof(*rel));
	rel->oid = oid;
	r->n++;
	size_t i = (oid * 2654435761u) & (r->nslots - 1);
	while (r->slots[i])
		i = (i + 1) & (r->nslots - 1);
	r->slots[i] = r->n;
	return rel;
}

json_t *schema_rels_add(struct schema_rels *r, uint32_t oid, json_t *head)
{
	struct schema_rel *rel = head ? rel_get(r, oid) : NULL;
	if (!rel || rel->thin) {
		json_decref(head);
		return NULL;
	}
	rel->text = json_dumps(head, JSON_COMPACT);
	rel->thin =
	    json_pack("[O, O]", json_object_get(head, "name"), json_object_get(head, "kind"));
	json_decref(head);
	if (!rel->text || !rel->thin) {
		free(rel->text);
		rel->text = NULL;
		json_decref(rel->thin);
		rel->thin = NULL;
		return NULL;
	}
	rel->len = strlen(rel->text) - 1; /* the closing brace */
	rel->cap = rel->len + 2;
	/* The tree takes this reference; rel->thin is then borrowed. */
	return rel->thin;
}

bool schema_rels_member(struct schema_rels *r, uint32_t oid, int member, json_t *item)
{
	struct schema_rel *rel = item ? rel_get(r, oid) : NULL;
	char *text = rel ? json_dumps(item, JSON_COMPACT) : NULL;
	json_decref(item);
	if (!text)
		return false;
	int rc = (rel->mlen[member] && append(&rel->member[member], &rel->mlen[member],
	                                      &rel->mcap[member], ",", 1) < 0) ||
	                 append(&rel->member[member], &rel->mlen[member], &rel->mcap[member], text,
	                        strlen(text)) < 0
	             ? -1
	             : 0;
	free(text);
	if (rc == 0)
		rel->items[member]++;
	return rc == 0;
}

int schema_rels_finish(struct schema_rels *r, long long counts[SCHEMA_REL_MEMBERS])
{
	int rc = 0;
	for (size_t k = 0; k < r->n; k++) {
		struct schema_rel *rel = &r->v[k];
		if (!rel->thin)
			continue; /* members of a relation the load did not list */
		for (int m = 0; m < SCHEMA_REL_MEMBERS && rc == 0; m++) {
			char key[32];
			int n = snprintf(key, sizeof(key), ",\"%s\":[", rel_members[m]);
			if (append(&rel->text, &rel->len, &rel->cap, key, (size_t)n) < 0 ||
			    (rel->mlen[m] && append(&rel->text, &rel->len, &rel->cap,
			                            rel->member[m], rel->mlen[m]) < 0) ||
			    append(&rel->text, &rel->len, &rel->cap, "]", 1) < 0)
				rc = -1;
			free(rel->member[m]);
			rel->member[m] = NULL;
			counts[m] += rel->items[m];
		}
		if (rc == 0 && append(&rel->text, &rel->len, &rel->cap, "}", 1) < 0)
			rc = -1;
		json_t *raw = rc == 0 ? json_stringn_nocheck(rel->text, rel->len) : NULL;
		if (!raw || json_array_append_new(rel->thin, raw) < 0)
			rc = -1;
		free(rel->text);
		rel->text = NULL;
	}
	return rc;
}

void schema_rels_clear(struct schema_rels *r)
{
	for (size_t k = 0; k < r->n; k++) {
		free(r->v[k].text);
		for (int m = 0; m < SCHEMA_REL_MEMBERS; m++)
			free(r->v[k].member[m]);
	}
	free(r->v);
	free(r->slots);
	memset(r, 0, sizeof(*r));
}

void schema_trim(void)
{
	/* The build's objects are gone: give their pages back. */
	malloc_trim(0);
}

json_t *schema_freeze_function(json_t *fn)
{
	char *text = fn ? json_dumps(fn, JSON_COMPACT) : NULL;
	json_t *raw = text ? json_string_nocheck(text) : NULL;
	free(text);
	json_t *thin =
	    raw ? json_pack("[O, O, o, O]", json_object_get(fn, "name"),
	                    json_object_get(fn, "kind"), raw, json_object_get(fn, "arguments"))
	        : NULL;
	json_decref(fn);
	return thin;
}

const char *schema_field(const json_t *o, const char *key)
{
	if (!json_is_array(o))
		return json_string_value(json_object_get(o, key));
	size_t i = strcmp(key, "name") == 0        ? 0
	           : strcmp(key, "kind") == 0      ? 1
	           : strcmp(key, "arguments") == 0 ? 3
	                                           : 99;
	return json_string_value(json_array_get(o, i));
}

const char *schema_raw_text(const json_t *o, size_t *len)
{
	json_t *raw = json_is_array(o) ? json_array_get(o, 2) : NULL;
	if (!raw)
		return NULL;
	if (len)
		*len = json_string_length(raw);
	return json_string_value(raw);
}

json_t *schema_object_full(json_t *o)
{
	size_t len;
	const char *text = schema_raw_text(o, &len);
	if (!text)
		return json_incref(o);
	return json_loadb(text, len, 0, NULL);
}

/* ---- the writer ------------------------------------------------------------ */

static int grow(struct schema_out *w, size_t more)
{
	return tusk_grow(&w->s, &w->cap, w->len + more, 4096);
}

static int put(struct schema_out *w, const char *s, size_t n)
{
	if (grow(w, n) < 0)
		return -1;
	memcpy(w->s + w->len, s, n);
	w->len += n;
	return 0;
}

/* A scalar (or a key as a string) as jansson writes it. */
static int scalar(struct schema_out *w, const json_t *v)
{
	size_t room = w->cap - w->len;
	size_t n = json_dumpb(v, room ? w->s + w->len : NULL, room, JSON_COMPACT | JSON_ENCODE_ANY);
	if (n == 0)
		return -1;
	if (n > room) {
		if (grow(w, n) < 0 ||
		    json_dumpb(v, w->s + w->len, n, JSON_COMPACT | JSON_ENCODE_ANY) != n)
			return -1;
	}
	w->len += n;
	return 0;
}

static bool plain_key(const char *k, size_t *n)
{
	size_t i = 0;
	for (; k[i]; i++)
		if ((unsigned char)k[i] < 0x20 || k[i] == '"' || k[i] == '\\' ||
		    (unsigned char)k[i] >= 0x7f)
			return false;
	*n = i;
	return true;
}

static int key(struct schema_out *w, const char *k)
{
	size_t n;
	if (plain_key(k, &n))
		return put(w, "\"", 1) < 0 || put(w, k, n) < 0 || put(w, "\":", 2) < 0 ? -1 : 0;
	json_t *s = json_string(k);
	int rc = s ? scalar(w, s) : -1;
	json_decref(s);
	return rc < 0 ? -1 : put(w, ":", 1);
}

/* item: v is an item of a schema node's member (a frozen one is an array). */
static int write_value(struct schema_out *w, const json_t *v, bool item)
{
	size_t len;
	const char *raw = item ? schema_raw_text(v, &len) : NULL;
	if (raw)
		return put(w, raw, len);
	if (json_is_object(v)) {
		if (put(w, "{", 1) < 0)
			return -1;
		const char *k;
		json_t *m;
		bool first = true;
		json_object_foreach((json_t *)v, k, m)
		{
			if ((!first && put(w, ",", 1) < 0) || key(w, k) < 0)
				return -1;
			bool members = strcmp(k, "relations") == 0 || strcmp(k, "functions") == 0;
			if (members && json_is_array(m)) {
				size_t i;
				json_t *x;
				if (put(w, "[", 1) < 0)
					return -1;
				json_array_foreach(m, i, x)
				{
					if ((i && put(w, ",", 1) < 0) ||
					    write_value(w, x, true) < 0)
						return -1;
				}
				if (put(w, "]", 1) < 0)
					return -1;
			} else if (write_value(w, m, false) < 0) {
				return -1;
			}
			first = false;
		}
		return put(w, "}", 1);
	}
	if (json_is_array(v)) {
		if (put(w, "[", 1) < 0)
			return -1;
		size_t i;
		json_t *m;
		json_array_foreach(v, i, m)
		{
			if ((i && put(w, ",", 1) < 0) || write_value(w, m, false) < 0)
				return -1;
		}
		return put(w, "]", 1);
	}
	return scalar(w, v);
}

int schema_write(struct schema_out *w, const json_t *v)
{
	return write_value(w, v, false);
}

size_t schema_written_size(const json_t *item)
{
	size_t len;
	const char *raw = schema_raw_text(item, &len);
	return raw ? len : json_dumpb(item, NULL, 0, JSON_COMPACT);
}
