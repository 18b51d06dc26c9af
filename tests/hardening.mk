# tests/hardening.mk - included by the Makefile.
#   make valgrind    every test program and fuzz corpus replay under valgrind memcheck:
#                    zero errors and zero leaks required (tests/valgrind.sh; ONLY=<name> narrows it)
.PHONY: valgrind
valgrind: setup
	@BUILD=$(BUILD) bash tests/valgrind.sh
