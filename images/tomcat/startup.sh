#!/bin/sh
# The entrypoint of a tomcat station: Tomcat in the foreground as user
# tomcat, the way Debian's tomcat10.service starts it.
set -eu
. /apomon/sshd.sh
export CATALINA_HOME=/usr/share/tomcat10 CATALINA_BASE=/var/lib/tomcat10 \
	CATALINA_TMPDIR=/tmp JAVA_OPTS="-Djava.awt.headless=true"
install -d -o tomcat -g tomcat /var/log/tomcat10 /var/cache/tomcat10 \
	/var/lib/tomcat10/webapps
/usr/libexec/tomcat10/tomcat-update-policy.sh
exec runuser -u tomcat -- /bin/sh /usr/libexec/tomcat10/tomcat-start.sh
