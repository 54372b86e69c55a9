# libotr 4.1.1 drop-in, in Rust. See README.md.
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DESTDIR ?=
CARGO ?= cargo
REL := target/release
HEADERS := $(wildcard include/libotr/*.h)

.PHONY: all build test plugin-test bench demo install uninstall clean

all: build

build:
	$(CARGO) build --release
	ln -sf libotr.so $(REL)/libotr.so.5

test: build
	bash cabi-tests/run.sh

plugin-test: build
	OTR_PLUGIN_TESTS=1 bash cabi-tests/plugins/run.sh

bench: build
	bash bench/run.sh

demo: build
	mkdir -p build
	$(CC) -std=gnu11 -Wall -Iinclude demo/demo.c -o build/demo -L$(REL) -Wl,-rpath,$(CURDIR)/$(REL) -lotr
	./build/demo

install: build
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/libotr
	install -m 0755 $(REL)/libotr.so $(DESTDIR)$(LIBDIR)/libotr.so.5.1.1
	ln -sf libotr.so.5.1.1 $(DESTDIR)$(LIBDIR)/libotr.so.5
	ln -sf libotr.so.5 $(DESTDIR)$(LIBDIR)/libotr.so
	install -m 0644 $(REL)/libotr.a $(DESTDIR)$(LIBDIR)/libotr.a
	install -m 0644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/libotr/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
		pkgconfig/libotr.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libotr.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libotr.so.5.1.1 $(DESTDIR)$(LIBDIR)/libotr.so.5 $(DESTDIR)$(LIBDIR)/libotr.so
	rm -f $(DESTDIR)$(LIBDIR)/libotr.a $(DESTDIR)$(LIBDIR)/pkgconfig/libotr.pc
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/libotr/,$(notdir $(HEADERS)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/libotr

clean:
	$(CARGO) clean
	rm -rf build
