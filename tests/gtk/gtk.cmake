# The GTK window's suites (tests/gtk/): the binary's libraries, the
# installed desktop files, the client object and result model against a
# real tuskd, and the window driven end to end through AT-SPI under Xvfb.
set(gtk_test_dir ${CMAKE_CURRENT_SOURCE_DIR}/gtk)
set(gtk_env "TUSKD=$<TARGET_FILE:tuskd>;TUSKCTL=$<TARGET_FILE:tuskctl>;TUSK_GTK=$<TARGET_FILE:tusk>;TUSK_BUILD_DIR=${CMAKE_BINARY_DIR};TUSK_SOURCE_DIR=${PROJECT_SOURCE_DIR}")

add_test(NAME gtk-binary COMMAND bash ${gtk_test_dir}/test-gtk-binary.sh)
add_test(NAME gtk-install COMMAND bash ${gtk_test_dir}/test-gtk-install.sh)
set_tests_properties(gtk-binary gtk-install PROPERTIES LABELS "gtk" TIMEOUT 120
  ENVIRONMENT "${gtk_env}")

function(tusk_gtk_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE tusk-gtk)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "gtk;integration" TIMEOUT 300
    ENVIRONMENT "${gtk_env}")
endfunction()
tusk_gtk_test(gtk-rpc gtk/test-gtk-rpc.c gtk/gtk-daemon.c)
tusk_gtk_test(gtk-result-paging gtk/test-gtk-result-paging.c gtk/gtk-daemon.c)
tusk_gtk_test(gtk-result-model gtk/test-gtk-result-model.c)
tusk_gtk_test(gtk-host-key-prompt gtk/test-gtk-host-key-prompt.c)
set_tests_properties(gtk-result-model gtk-host-key-prompt PROPERTIES LABELS "gtk;unit")
# it opens a display of its own: fontconfig keeps what it cached
set_property(TEST gtk-host-key-prompt APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${gtk_test_dir}/lsan-gtk.supp:print_suppressions=0")

if(NOT TUSK_SANITIZE)
  # a real window (Xvfb): GTK under ASan runs in the plain build only, as gtk-e2e
  add_executable(gtk-result-grid gtk/test-gtk-result-grid.c gtk/gtk-daemon.c)
  target_link_libraries(gtk-result-grid PRIVATE tusk-gtk)
  add_test(NAME gtk-result-grid COMMAND bash ${gtk_test_dir}/test-gtk-result-grid.sh
    $<TARGET_FILE:gtk-result-grid>)
  set_tests_properties(gtk-result-grid PROPERTIES LABELS "gtk;integration" TIMEOUT 300
    ENVIRONMENT "${gtk_env}")
endif()

if(NOT TUSK_SANITIZE)
  # GTK under ASan: the e2e runs in the plain build only (see README).
  add_test(NAME gtk-e2e COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/gtk/test-gtk-e2e.sh)
  set_tests_properties(gtk-e2e PROPERTIES LABELS "gtk;integration" TIMEOUT 600
    ENVIRONMENT "${gtk_env}")
  add_test(NAME gtk-dialog COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/gtk/test-gtk-dialog.sh)
  set_tests_properties(gtk-dialog PROPERTIES LABELS "gtk;integration" TIMEOUT 300
    ENVIRONMENT "${gtk_env}")
  add_test(NAME gtk-ssh COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/gtk/test-gtk-ssh.sh)
  set_tests_properties(gtk-ssh PROPERTIES LABELS "gtk;integration" TIMEOUT 300
    ENVIRONMENT "${gtk_env}")
  # scripts/test runs every suite in one D-Bus session, so there is one
  # AT-SPI registry: two windows driven at once would find each other's
  # "tusk" (and click at the other one's coordinates). One at a time.
  set_tests_properties(gtk-e2e gtk-dialog gtk-ssh PROPERTIES RESOURCE_LOCK atspi)
endif()

if(NOT TUSK_SANITIZE)
  # the connection dialog's TLS page against a TLS PostgreSQL of its own
  add_test(NAME gtk-tls COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/gtk/test-gtk-tls.sh)
  set_tests_properties(gtk-tls PROPERTIES LABELS "gtk;integration" TIMEOUT 300
    ENVIRONMENT "${gtk_env}" RESOURCE_LOCK atspi)
  # a save that outlives the dialog's opening: the real dialog in process
  # (no AT-SPI: GTK 4.8's bridge crashed the window in this sequence)
  add_executable(gtk-dialog-save gtk/test-gtk-dialog-save.c gtk/gtk-daemon.c)
  target_link_libraries(gtk-dialog-save PRIVATE tusk-gtk)
  add_test(NAME gtk-dialog-save COMMAND bash ${gtk_test_dir}/test-gtk-dialog-save.sh
    $<TARGET_FILE:gtk-dialog-save>)
  set_tests_properties(gtk-dialog-save PROPERTIES LABELS "gtk;integration" TIMEOUT 300
    ENVIRONMENT "${gtk_env}")
  # closing tabs lets their contexts go (context.release)
  add_test(NAME gtk-tabs COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/gtk/test-gtk-tabs.sh)
  set_tests_properties(gtk-tabs PROPERTIES LABELS "gtk;integration" TIMEOUT 300
    ENVIRONMENT "${gtk_env}" RESOURCE_LOCK atspi)
endif()
