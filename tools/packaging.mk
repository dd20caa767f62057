# Packages: `make deb` builds apomon, apomon-plugin-dev and the sample
# third-party type apomon-type-greeter into deb/ (tools/make-deb).
EXTRA_DIST += tools/make-deb tools/packaging.mk
.PHONY: deb
deb:
	$(abs_top_srcdir)/tools/make-deb $(abs_top_builddir)/deb
clean-local: clean-deb
clean-deb:
	rm -rf $(abs_top_builddir)/deb
.PHONY: clean-deb

# root: the packages installed in a private mount namespace and a greeter
# station brought up from them; apomon-plugin(7)'s EXAMPLE built from the
# page's text; the image search path and its early errors
TESTS += tests/integration/deb.sh tests/integration/plugin-man.sh \
	tests/integration/images-search.sh
EXTRA_DIST += tests/integration/deb.sh tests/integration/plugin-man.sh \
	tests/integration/images-search.sh
