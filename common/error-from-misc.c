/* TuskError from errno and jansson: what every program of Tusk needs. */
#include "common/error.h"

#include <limits.h>
#include <string.h>

int tusk_error_from_errno(TuskError *e, int errnum, const char *what)
{
	if (!e)
		return -1;
	if (errnum < 0)
		errnum = -errnum;
	if (what && what[0])
		return tusk_error_set(e, TUSK_ERR_IO, "%s: %s", what, strerror(errnum));
	return tusk_error_set(e, TUSK_ERR_IO, "%s", strerror(errnum));
}

int tusk_error_from_json(TuskError *e, const json_error_t *jerr)
{
	if (!e)
		return -1;
	if (!jerr)
		return tusk_error_set(e, TUSK_ERR_SERIALIZATION, "invalid JSON");
	if (jerr->line > 0)
		tusk_error_set(e, TUSK_ERR_SERIALIZATION, "invalid JSON: %s (line %d, column %d)",
		               jerr->text, jerr->line, jerr->column);
	else
		tusk_error_set(e, TUSK_ERR_SERIALIZATION, "invalid JSON: %s", jerr->text);
	if (jerr->position > 0 && (unsigned)jerr->position <= UINT_MAX)
		e->position = (unsigned)jerr->position;
	return -1;
}
