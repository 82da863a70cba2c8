/* Linked with every object of tusk-db and only the libraries it declares
 * (daemon/db/CMakeLists.txt): the link itself is the check that the db
 * library reaches nothing of tuskd. Running it does nothing. */
#include "daemon/db/env.h"

int main(void)
{
	return 0;
}
