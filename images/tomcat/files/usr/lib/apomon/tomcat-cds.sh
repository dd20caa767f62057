# Run with sh at image build (image.cfg): a static class-data-sharing
# archive, written to $1, of the classes tomcat-classes.lst names (what a
# station's Tomcat loads through the JVM's built-in loaders, from its start
# to serving requests over JDBC), which the tomcat type's JAVA_OPTS map at
# every start instead of reading them from the JARs, parsing and verifying
# them.  It replaced a dynamic archive of a Tomcat started here once: that
# one had no connector and no database (the build shares the host's
# network, and has no postgres), so a station still loaded some 700
# classes (the connector's, the JDBC driver's, the JDK's behind them) from
# their JARs at every start.  catalina.sh runs the JVM, so that the class
# path (bin/setenv.sh) is the one a station's has, which the archive
# requires; with -Xshare:dump the JVM writes the archive and exits.  The
# same JVM options as a station's (the type's render), so that the archive
# is valid for it.  Usage: tomcat-cds.sh ARCHIVE JAVA_OPTS...
set -eu
out=$1
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export CATALINA_HOME=/usr/share/tomcat10 CATALINA_BASE=/var/lib/tomcat10 CATALINA_TMPDIR=/tmp
export JAVA_OPTS="$* -Xshare:dump -XX:SharedClassListFile=/usr/lib/apomon/tomcat-classes.lst -XX:SharedArchiveFile=$out"
"$CATALINA_HOME/bin/catalina.sh" run >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
[ -s "$out" ] || { cat "$log" >&2; echo "tomcat-cds.sh: no archive $out" >&2; exit 1; }
chmod 0644 "$out"
