# Sourced by catalina.sh (apomon's tomcat image).  Tomcat's own JARs and
# the JDBC driver go on the JVM's class path, loaded by the application
# class loader, instead of Tomcat's common loader (catalina.properties:
# common.loader is empty, so Tomcat uses the class path's loader): the JDK
# puts in a class-data-sharing archive only the classes of its built-in
# loaders, so that the archive made at image build (tomcat-cds.sh) now
# holds Tomcat's, Jasper's and the driver's classes too, mapped at every
# start instead of read from the JARs, parsed and verified.  The same
# list at build and at start (the archive requires it): the image's JARs.
CLASSPATH=
for _jar in "$CATALINA_HOME"/lib/*.jar; do
	CLASSPATH=${CLASSPATH:+$CLASSPATH:}$_jar
done
unset _jar
