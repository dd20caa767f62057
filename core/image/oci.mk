# OCI images (issue 14): references as containers-transports(5) spells
# them (core/base/image-ref), import of OCI layouts and archives into the
# layer store.  A fragment of its own so that image.mk stays the build's.
core_libapocore_la_SOURCES += \
	core/base/image-ref.c core/base/image-ref.h

check_PROGRAMS += tests/unit/test-image-ref
TESTS += tests/unit/test-image-ref
tests_unit_test_image_ref_SOURCES = tests/unit/test-image-ref.c
tests_unit_test_image_ref_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_image_ref_LDADD = $(APO_TEST_LDADD)

core_libapocore_la_SOURCES += \
	core/image/oci-unpack.c core/image/oci-unpack.h \
	core/image/oci-start.c core/image/oci-start.h \
	core/image/oci-import.c core/image/oci-import.h \
	core/image/oci-sniff.c core/image/oci-sniff.h \
	core/image/oci-json.h \
	core/image/oci-registry.c core/image/oci-registry.h \
	core/image/oci-export.c core/image/oci-export.h \
	core/image/oci-dockerfile.c core/image/oci-dockerfile.h

TESTS += tests/integration/oci-import.sh
EXTRA_DIST += tests/integration/oci-lib.sh tests/integration/oci-import.sh
TESTS += tests/integration/oci-station.sh tests/integration/oci-export.sh tests/integration/oci-dockerfile.sh
EXTRA_DIST += tests/integration/oci-station.sh tests/integration/oci-export.sh \
	tests/integration/oci-dockerfile.sh

# import against skopeo and umoci (bench/README.md style: ratios, same run)
EXTRA_DIST += bench/oci.sh bench/oci-stations.sh bench/oci-export.sh bench/oci-lib.sh

# docker:// pulls from Debian's docker-registry on loopback
TESTS += tests/integration/oci-registry.sh
EXTRA_DIST += tests/integration/oci-registry.sh
TESTS += tests/integration/oci-registry-token.sh
EXTRA_DIST += tests/integration/oci-registry-token.sh
