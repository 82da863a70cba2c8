/* Linked with every object of tusk-storage and only the libraries it
 * declares (daemon/storage/CMakeLists.txt): the link itself is the check
 * that local storage reaches nothing of tuskd. Running it does nothing. */
#include "daemon/storage/storage.h"

int main(void)
{
	return 0;
}
