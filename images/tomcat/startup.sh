#!/bin/sh
# The entrypoint of a tomcat station: Tomcat in the foreground as user
# tomcat, the way Debian's tomcat10.service starts it.
set -eu
. /apomon/sshd.sh
export CATALINA_HOME=/usr/share/tomcat10 CATALINA_BASE=/var/lib/tomcat10 \
	CATALINA_TMPDIR=/tmp JAVA_OPTS="-Djava.awt.headless=true"
install -d -o tomcat -g tomcat /var/log/tomcat10 /var/cache/tomcat10 \
	/var/lib/tomcat10/webapps
# the rendered context.xml holds the database password: tomcat reads it,
# others do not (mode and owner are not part of its seal)
chgrp tomcat /etc/tomcat10/context.xml
chmod 0640 /etc/tomcat10/context.xml
/usr/libexec/tomcat10/tomcat-update-policy.sh
# setpriv execs, so that the JVM is this process: runuser would stay as
# its parent and, at the stop signal, kill it with SIGKILL 2 s later
# whether or not Tomcat had shut down (and keep `down` waiting that long)
exec setpriv --reuid=tomcat --regid=tomcat --init-groups -- \
	/bin/sh /usr/libexec/tomcat10/tomcat-start.sh
