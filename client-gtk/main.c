/* tusk: the GTK window of Tusk. */
#include "client-gtk/tusk-application.h"

int main(int argc, char **argv)
{
	g_autoptr(TuskApplication) app = tusk_application_new();
	return g_application_run(G_APPLICATION(app), argc, argv);
}
