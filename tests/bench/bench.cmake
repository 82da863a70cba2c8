# Tools the benchmarks (tests/bench/run) use; not tests.
add_executable(tusk-rtt bench/tusk-rtt.c)
target_link_libraries(tusk-rtt PRIVATE tusk-protocol tusk-common Threads::Threads)
