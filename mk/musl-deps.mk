# Read by musl's own make (make -f Makefile -f musl-deps.mk): the header
# dependencies that -MMD wrote, which musl's Makefile does not track itself.
-include $(wildcard obj/src/*/*.d obj/src/*/*/*.d obj/crt/*.d obj/crt/*/*.d obj/ldso/*.d)
