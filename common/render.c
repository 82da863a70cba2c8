#include <string.h>

#include "common/render.h"

TuskRender tusk_render_from_name(const char *name)
{
	if (!name)
		return TUSK_RENDER_NONE;
	if (strcmp(name, "csv") == 0)
		return TUSK_RENDER_CSV;
	if (strcmp(name, "tsv") == 0)
		return TUSK_RENDER_TSV;
	return TUSK_RENDER_NONE;
}

char tusk_render_separator(TuskRender kind)
{
	return kind == TUSK_RENDER_CSV ? ',' : '\t';
}

void tusk_render_field(TuskRender kind, const char *s, size_t n, TuskRenderEmit emit, void *ud)
{
	if (!s || n == 0)
		return;
	if (kind != TUSK_RENDER_CSV) {
		emit(ud, s, n);
		return;
	}
	bool quote = n == 2 && s[0] == '\\' && s[1] == '.';
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (!quote) {
		emit(ud, s, n);
		return;
	}
	emit(ud, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '"') {
			emit(ud, s + run, i + 1 - run);
			run = i;
		}
	emit(ud, s + run, n - run);
	emit(ud, "\"", 1);
}
