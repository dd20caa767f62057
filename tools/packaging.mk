# Packages: debian/ builds apomon and apomon-dev, examples/greeter/debian
# the sample third-party type apomon-type-greeter against the installed
# apomon-dev.  `make deb` builds the first two with dpkg-buildpackage
# (tools/make-deb) into deb/.
EXTRA_DIST += tools/make-deb tools/packaging.mk
dist_pkglibexec_SCRIPTS = tools/apomon-user
EXTRA_DIST += debian/control debian/rules debian/changelog debian/copyright \
	debian/source/format debian/apomon.install debian/apomon-dev.install \
	debian/apomon-dev.docs debian/apomon.postinst \
	debian/apomon.lintian-overrides debian/apomon-dev.lintian-overrides \
	examples/greeter/greeter.c examples/greeter/Makefile \
	examples/greeter/greeter.conf examples/greeter/images/greeter/image.cfg \
	examples/greeter/images/greeter/startup.sh \
	examples/greeter/debian/control examples/greeter/debian/rules \
	examples/greeter/debian/changelog examples/greeter/debian/copyright \
	examples/greeter/debian/source/format
.PHONY: deb
deb:
	$(abs_top_srcdir)/tools/make-deb $(abs_top_builddir)/deb
clean-local: clean-deb
clean-deb:
	rm -rf $(abs_top_builddir)/deb
.PHONY: clean-deb

# root: the packages built with dpkg-buildpackage, checked by lintian,
# installed in a private mount namespace and a greeter station brought up
# from them; apomon-plugin(7)'s EXAMPLE built from the page's text; the
# image search path and its early errors
TESTS += tests/integration/deb.sh tests/integration/plugin-man.sh \
	tests/integration/images-search.sh
EXTRA_DIST += tests/integration/deb.sh tests/integration/plugin-man.sh \
	tests/integration/images-search.sh
