# The `django` station type: the skel company directory under Gunicorn.
plugin_LTLIBRARIES += plugins/django/django.la
plugins_django_django_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/plugins/common
plugins_django_django_la_SOURCES = plugins/common/plugin-util.c plugins/common/plugin-util.h \
	plugins/django/django.c
plugins_django_django_la_LDFLAGS = $(APO_MODULE_FLAGS)
EXTRA_DIST += plugins/django/README.md tests/integration/rest-django.sh
TESTS += tests/integration/rest-django.sh
# its image definition and the application, installed next to base's
imagesdjangodir = $(imagesdir)/django
dist_imagesdjango_DATA = images/django/image.cfg images/django/startup.sh
imagesdjangosrvdir = $(imagesdir)/django/files/srv/directory
dist_imagesdjangosrv_DATA = images/django/files/srv/directory/gunicorn.conf.py \
	images/django/files/srv/directory/gunicorn_main.py
imagesdjangoappdir = $(imagesdir)/django/files/srv/directory/directory
dist_imagesdjangoapp_DATA = \
	images/django/files/srv/directory/directory/__init__.py \
	images/django/files/srv/directory/directory/settings.py \
	images/django/files/srv/directory/directory/urls.py \
	images/django/files/srv/directory/directory/views.py \
	images/django/files/srv/directory/directory/wsgi.py
# The plugin author's guide (django is its example) and its test, which
# builds the guide's complete example type from the guide's own text
dist_doc_DATA = docs/writing-a-station-type.md
TESTS += tests/integration/guide.sh
# (its example, examples/greeter/, is distributed with the packaging)
EXTRA_DIST += tests/integration/guide.sh
