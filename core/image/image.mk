# core/image: image definitions (images/NAME/image.cfg), layers built from
# Debian packages, and the layer store.
core_libapocore_la_SOURCES += \
	core/image/image-cfg.c core/image/image-cfg.h \
	core/image/image-find.c core/image/image-find.h \
	core/image/image-digest.c core/image/image-digest.h \
	core/image/image-store.c core/image/image-store.h \
	core/image/image-build.c core/image/image-build.h \
	core/image/mirror.c core/image/mirror.h \
	core/image/image-plan.c core/image/image-plan.h

# The definitions shipped with apomon, installed under $(imagesdir).
imagesbasedir = $(imagesdir)/base
dist_imagesbase_DATA = images/base/image.cfg
imagesbaseapomondir = $(imagesdir)/base/files/apomon
dist_imagesbaseapomon_DATA = images/base/files/apomon/sshd.sh \
	images/base/files/apomon/inetd.conf
imagesbasesshdir = $(imagesdir)/base/files/etc/ssh
dist_imagesbasessh_DATA = images/base/files/etc/ssh/sshd_config
imagesbasedpkgdir = $(imagesdir)/base/files/etc/dpkg/dpkg.cfg.d
dist_imagesbasedpkg_DATA = images/base/files/etc/dpkg/dpkg.cfg.d/apomon-nodoc

# Integration tests (root): base is built once into the default store and
# reused by every later test.
TESTS += \
	tests/integration/image-base.sh \
	tests/integration/image-ssh.sh \
	tests/integration/image-child.sh \
	tests/integration/image-bad.sh \
	tests/integration/image-unsigned.sh \
	tests/integration/image-kill.sh
EXTRA_DIST += \
	tests/integration/image-lib.sh \
	tests/integration/image-base.sh \
	tests/integration/image-ssh.sh \
	tests/integration/image-child.sh \
	tests/integration/image-bad.sh \
	tests/integration/image-unsigned.sh \
	tests/integration/image-kill.sh \
	tests/fixtures/images/images-test-child/image.cfg \
	tests/fixtures/images/images-test-child/files/etc/images-test-child.txt \
	tests/fixtures/images/images-test-bad/image.cfg

# Unit tests (no privileges needed).
check_PROGRAMS += tests/unit/test-image-cfg tests/unit/test-mirror tests/unit/test-image-store
TESTS += tests/unit/test-image-cfg tests/unit/test-mirror tests/unit/test-image-store
tests_unit_test_image_cfg_SOURCES = tests/unit/test-image-cfg.c
tests_unit_test_image_cfg_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_image_cfg_LDADD = $(APO_TEST_LDADD)
tests_unit_test_mirror_SOURCES = tests/unit/test-mirror.c
tests_unit_test_mirror_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_mirror_LDADD = $(APO_TEST_LDADD)
tests_unit_test_image_store_SOURCES = tests/unit/test-image-store.c
tests_unit_test_image_store_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_image_store_LDADD = $(APO_TEST_LDADD)
EXTRA_DIST += docs/images.md
