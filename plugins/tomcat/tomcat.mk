# The `tomcat` station type (image tomcat) and the web applications it
# installs, built from webapps/ with Debian's JDK (no downloads).
webappsdir = $(pkgdatadir)/webapps

plugin_LTLIBRARIES += plugins/tomcat/tomcat.la
plugins_tomcat_tomcat_la_SOURCES = plugins/common/plugin-util.c plugins/common/plugin-util.h \
	plugins/tomcat/tomcat.c
plugins_tomcat_tomcat_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/plugins/common -DAPO_WEBAPPSDIR=\"$(webappsdir)\"
plugins_tomcat_tomcat_la_LDFLAGS = $(APO_MODULE_FLAGS)

WEB_SKEL_SRC = \
	webapps/skel/src/org/apomon/skel/ApiException.java \
	webapps/skel/src/org/apomon/skel/ApiServlet.java \
	webapps/skel/src/org/apomon/skel/BackendFilter.java \
	webapps/skel/src/org/apomon/skel/Db.java \
	webapps/skel/src/org/apomon/skel/Json.java \
	webapps/skel/src/org/apomon/skel/Validate.java
WEB_SKEL_FILES = \
	webapps/skel/web/index.html \
	webapps/skel/web/app.js \
	webapps/skel/web/style.css \
	webapps/skel/web/WEB-INF/web.xml
WEB_HELLO_FILES = webapps/hello/index.jsp webapps/hello/WEB-INF/web.xml
EXTRA_DIST += $(WEB_SKEL_SRC) $(WEB_SKEL_FILES) $(WEB_HELLO_FILES) tests/java/JsonTest.java

if HAVE_JAVAC
webapps_DATA = webapps/skel-0.1.0.war webapps/hello.war
CLEANFILES += $(webapps_DATA)

webapps/skel-0.1.0.war: $(WEB_SKEL_SRC) $(WEB_SKEL_FILES)
	rm -rf webapps/skel.tmp && mkdir -p webapps/skel.tmp/WEB-INF/classes
	$(JAVAC) --release 17 -Xlint:all -encoding UTF-8 -cp $(SERVLET_API_JAR) \
		-d webapps/skel.tmp/WEB-INF/classes $(addprefix $(srcdir)/,$(WEB_SKEL_SRC))
	cp -R $(srcdir)/webapps/skel/web/. webapps/skel.tmp/
	$(JAR) --create --file $@.tmp -C webapps/skel.tmp . && mv $@.tmp $@
	rm -rf webapps/skel.tmp

webapps/hello.war: $(WEB_HELLO_FILES)
	mkdir -p webapps
	$(JAR) --create --file $@.tmp -C $(srcdir)/webapps/hello . && mv $@.tmp $@

# The JSON reader/writer of skel, tested with the JDK alone.
check_DATA = tests/java/JsonTest.class
TESTS += tests/java/json-test.sh
EXTRA_DIST += tests/java/json-test.sh
tests/java/JsonTest.class: tests/java/JsonTest.java webapps/skel/src/org/apomon/skel/Json.java
	mkdir -p tests/java
	$(JAVAC) --release 17 -encoding UTF-8 -d tests/java \
		$(srcdir)/tests/java/JsonTest.java $(srcdir)/webapps/skel/src/org/apomon/skel/Json.java
CLEANFILES += tests/java/*.class tests/java/org/apomon/skel/*.class
endif

# The web tier's integration tests (root; real PostgreSQL, Tomcat, HAProxy,
# curl, psql, Chromium) on their own environment tests/fixtures/web.
TESTS += tests/integration/web-tier.sh tests/integration/web-tamper.sh \
	tests/integration/web-apps.sh
EXTRA_DIST += \
	tests/integration/web-apps.sh \
	tests/fixtures/web-apps/apomon.conf \
	tests/fixtures/web-apps/conf.d/10-web.conf \
	tests/integration/web-tier.sh \
	tests/integration/web-tamper.sh \
	tests/integration/web-lib.sh \
	tests/integration/web-browser.sh \
	tests/integration/web-browser.js \
	tests/fixtures/web/apomon.conf \
	tests/fixtures/web/conf.d/10-web.conf

# Its images (jre: the layer openjdk's postinst needs), installed beside base's.
imagesjredir = $(imagesdir)/jre
dist_imagesjre_DATA = images/jre/image.cfg
imagestomcatdir = $(imagesdir)/tomcat
dist_imagestomcat_DATA = images/tomcat/image.cfg images/tomcat/startup.sh
imagestomcatlibdir = $(imagesdir)/tomcat/files/usr/lib/apomon
dist_imagestomcatlib_DATA = images/tomcat/files/usr/lib/apomon/tomcat-cds.sh \
	images/tomcat/files/usr/lib/apomon/tomcat-classes.lst
imagestomcatbindir = $(imagesdir)/tomcat/files/usr/share/tomcat10/bin
dist_imagestomcatbin_DATA = images/tomcat/files/usr/share/tomcat10/bin/setenv.sh
EXTRA_DIST += plugins/tomcat/README.md
