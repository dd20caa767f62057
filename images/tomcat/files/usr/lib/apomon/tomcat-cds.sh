# Run with sh at image build (image.cfg): Tomcat started once, with no connector
# and no shutdown port (nothing listens: the build shares the host's
# network), its webapps a copy of the hello page, and stopped as a
# station's Tomcat is (SIGTERM); the JVM writes at its exit a dynamic
# class-data-sharing archive of every class it loaded (the JDK's beyond
# its default archive, Tomcat's, Jasper's) to $1, which the tomcat type's
# JAVA_OPTS map at every start instead of parsing and verifying them.
# The same JVM options as a station's (the type's render), so that the
# archive is valid for it.  Usage: tomcat-cds.sh ARCHIVE JAVA_OPTS...
set -eu
out=$1
shift
base=$(mktemp -d)
trap 'rm -rf "$base"' EXIT
mkdir "$base/conf" "$base/logs" "$base/webapps" "$base/work" "$base/temp"
cp /etc/tomcat10/catalina.properties /etc/tomcat10/logging.properties \
	/etc/tomcat10/web.xml /etc/tomcat10/context.xml "$base/conf/"
cat >"$base/conf/server.xml" <<'EOX'
<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="true" autoDeploy="false" />
    </Engine>
  </Service>
</Server>
EOX
# an application with a JSP, so that deploying one is in the archive too
mkdir -p "$base/webapps/cds/WEB-INF"
echo '<%@ page contentType="text/html" %><p><%= 1 + 1 %></p>' >"$base/webapps/cds/index.jsp"
export CATALINA_HOME=/usr/share/tomcat10 CATALINA_BASE="$base" CATALINA_TMPDIR="$base/temp"
export JAVA_OPTS="$* -XX:ArchiveClassesAtExit=$out"
"$CATALINA_HOME/bin/catalina.sh" run >"$base/out" 2>&1 &
pid=$!
# started: Tomcat says so (its log, polled), or it died
while ! grep -q 'Server startup in' "$base/out"; do
	kill -0 "$pid" 2>/dev/null || { cat "$base/out" >&2; exit 1; }
	sleep 0.1
done
kill -TERM "$pid"
wait "$pid" || true
[ -s "$out" ] || { cat "$base/out" >&2; echo "tomcat-cds.sh: no archive $out" >&2; exit 1; }
chmod 0644 "$out"
