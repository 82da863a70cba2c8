/* tusk: the GTK window of Tusk. */
#include "client-gtk/tusk-application.h"
#include "client-gtk/tusk-timing.h"

int main(int argc, char **argv)
{
	tusk_timing_mark("main");
	g_autoptr(TuskApplication) app = tusk_application_new();
	return g_application_run(G_APPLICATION(app), argc, argv);
}
