# Tools the benchmarks (tests/bench/run) use; not tests.
add_executable(tusk-rtt bench/tusk-rtt.c)
target_link_libraries(tusk-rtt PRIVATE tusk-protocol tusk-common Threads::Threads)
# the smallest AdwApplication window: the window's start-up floor (gtk.sh)
add_executable(tusk-floor bench/tusk-floor.c)
# (tusk-gtk for its GTK and libadwaita flags: none of its code is pulled in)
target_link_libraries(tusk-floor PRIVATE tusk-gtk)
# GtkColumnView alone over a plain model of strings: the scrolling floor
add_executable(tusk-grid-floor bench/tusk-grid-floor.c)
target_link_libraries(tusk-grid-floor PRIVATE tusk-gtk)
