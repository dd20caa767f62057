// SPDX-License-Identifier: MIT
package org.apomon.skel;

import jakarta.servlet.ServletContext;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Connections to the skel database.  The URL and credentials are context
 * parameters that apomon's tomcat type renders into context.xml.  One
 * connection a request: the API is small and PostgreSQL is next door;
 * no pool means nothing stale after the database restarts.
 */
final class Db {
    private final String url, user, password;

    Db(ServletContext ctx) {
        url = param(ctx, "skel.db.url", "jdbc:postgresql://localhost:5432/skel");
        user = param(ctx, "skel.db.user", "skel");
        password = param(ctx, "skel.db.password", "skel");
        try {
            Class.forName("org.postgresql.Driver");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the PostgreSQL JDBC driver is not on Tomcat's class path", e);
        }
    }

    private static String param(ServletContext ctx, String name, String def) {
        String v = ctx.getInitParameter(name);
        return v == null || v.isEmpty() ? def : v;
    }

    Connection open() throws SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(url, p);
    }
}
