// SPDX-License-Identifier: MIT
package org.apomon.skel;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * REST on /api/companies and /api/users:
 *   GET    /api/R           list (users: ?company_id=N filters)   200
 *   GET    /api/R/ID        one                                   200, 404
 *   POST   /api/R           create                                201 + Location, 400, 409
 *   PUT    /api/R/ID        update (the fields given)             200, 400, 404, 409
 *   DELETE /api/R/ID        delete                                204, 404, 409
 * Errors are {"error": "message"}.
 */
@WebServlet(urlPatterns = "/api/*")
public final class ApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final int MAX_BODY = 64 * 1024;

    private transient Db db;

    @Override
    public void init() {
        db = new Db(getServletContext());
    }

    private static final class Target {
        String resource;
        Integer id;
    }

    private static Target target(HttpServletRequest req) throws ApiException {
        String p = req.getPathInfo();
        String[] parts = p == null ? new String[0] : p.replaceAll("^/+|/+$", "").split("/");
        Target t = new Target();
        if (parts.length < 1 || parts.length > 2
                || !(parts[0].equals("companies") || parts[0].equals("users")))
            throw new ApiException(404, "no such resource, expected /api/companies or /api/users");
        t.resource = parts[0];
        if (parts.length == 2) {
            try {
                t.id = Integer.valueOf(parts[1]);
            } catch (NumberFormatException e) {
                throw new ApiException(404, "'" + parts[1] + "' is not an id");
            }
        }
        return t;
    }

    private static Object body(HttpServletRequest req) throws IOException, ApiException {
        StringBuilder b = new StringBuilder();
        req.setCharacterEncoding(StandardCharsets.UTF_8.name());
        try (Reader r = req.getReader()) {
            char[] buf = new char[4096];
            int n;
            while ((n = r.read(buf)) > 0) {
                b.append(buf, 0, n);
                if (b.length() > MAX_BODY)
                    throw new ApiException(413, "request body larger than " + MAX_BODY + " bytes");
            }
        }
        try {
            return Json.parse(b.toString());
        } catch (Json.ParseException e) {
            throw new ApiException(400, "malformed JSON: " + e.getMessage());
        }
    }

    private static void send(HttpServletResponse res, int status, Object body) throws IOException {
        res.setStatus(status);
        res.setHeader("Cache-Control", "no-store");
        if (body == null)
            return;
        res.setContentType("application/json");
        res.setCharacterEncoding("UTF-8");
        res.getWriter().write(Json.write(body));
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        return m;
    }

    private interface Action {
        void run(HttpServletRequest req, HttpServletResponse res, Target t, Connection c)
                throws IOException, ApiException, SQLException;
    }

    private void handle(HttpServletRequest req, HttpServletResponse res, Action a) throws IOException {
        try {
            Target t = target(req);
            try (Connection c = db.open()) {
                a.run(req, res, t, c);
            }
        } catch (ApiException e) {
            send(res, e.status(), error(e.getMessage()));
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.equals("23505"))
                send(res, 409, error("already exists: " + detail(e)));
            else if (state.equals("23503"))
                send(res, 409, error("still referenced: " + detail(e)));
            else if (state.startsWith("23") || state.startsWith("22"))
                send(res, 400, error("invalid value: " + detail(e)));
            else if (state.startsWith("08"))
                send(res, 503, error("database unavailable: " + e.getMessage()));
            else {
                log("SQL error " + state, e);
                send(res, 500, error("database error " + state));
            }
        }
    }

    private static String detail(SQLException e) {
        String m = e.getMessage();
        int i = m.indexOf("Detail: ");
        return i >= 0 ? m.substring(i + 8).trim() : m;
    }

    private static List<Map<String, Object>> rows(ResultSet rs) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int k = 1; k <= md.getColumnCount(); k++) {
                Object v = rs.getObject(k);
                if (v instanceof java.sql.Timestamp)
                    v = ((java.sql.Timestamp) v).toInstant().toString();
                row.put(md.getColumnLabel(k), v);
            }
            out.add(row);
        }
        return out;
    }

    private static String select(String resource) {
        return resource.equals("companies")
                ? "SELECT id, name, city, created_at FROM companies"
                : "SELECT u.id, u.company_id, c.name AS company, u.name, u.email, u.created_at"
                        + " FROM users u JOIN companies c ON c.id = u.company_id";
    }

    private static Map<String, Object> one(Connection c, String resource, int id)
            throws SQLException, ApiException {
        String where = resource.equals("companies") ? " WHERE id = ?" : " WHERE u.id = ?";
        try (PreparedStatement ps = c.prepareStatement(select(resource) + where)) {
            ps.setInt(1, id);
            List<Map<String, Object>> r = rows(ps.executeQuery());
            if (r.isEmpty())
                throw new ApiException(404, resource.substring(0, resource.length() - 1) + " " + id + " not found");
            return r.get(0);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        handle(req, res, (rq, rs, t, c) -> {
            if (t.id != null) {
                send(rs, 200, one(c, t.resource, t.id));
                return;
            }
            String sql = select(t.resource);
            String filter = rq.getParameter("company_id");
            Integer cid = null;
            if (filter != null && t.resource.equals("users")) {
                try {
                    cid = Integer.valueOf(filter);
                } catch (NumberFormatException e) {
                    throw new ApiException(400, "company_id: expected an integer id");
                }
                sql += " WHERE u.company_id = ?";
            }
            sql += t.resource.equals("companies") ? " ORDER BY id" : " ORDER BY u.id";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (cid != null)
                    ps.setInt(1, cid);
                send(rs, 200, rows(ps.executeQuery()));
            }
        });
    }

    private static void companyExists(Connection c, int id) throws SQLException, ApiException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM companies WHERE id = ?")) {
            ps.setInt(1, id);
            if (!ps.executeQuery().next())
                throw new ApiException(400, "company_id: no company " + id);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
        handle(req, res, (rq, rs, t, c) -> {
            if (t.id != null)
                throw new ApiException(405, "POST goes to /api/" + t.resource + ", not to one of them");
            Map<String, Object> o = Validate.object(body(rq));
            PreparedStatement ps;
            if (t.resource.equals("companies")) {
                Validate.onlyKnown(o, "name", "city");
                String name = Validate.text(o, "name", 200, true);
                String city = Validate.text(o, "city", 200, false);
                ps = c.prepareStatement("INSERT INTO companies (name, city) VALUES (?, ?)",
                        Statement.RETURN_GENERATED_KEYS);
                ps.setString(1, name);
                ps.setString(2, city == null ? "" : city);
            } else {
                Validate.onlyKnown(o, "name", "email", "company_id");
                String name = Validate.text(o, "name", 200, true);
                String email = Validate.email(o, "email", true);
                int cid = Validate.id(o, "company_id", true);
                companyExists(c, cid);
                ps = c.prepareStatement("INSERT INTO users (name, email, company_id) VALUES (?, ?, ?)",
                        Statement.RETURN_GENERATED_KEYS);
                ps.setString(1, name);
                ps.setString(2, email);
                ps.setInt(3, cid);
            }
            try (PreparedStatement p = ps) {
                p.executeUpdate();
                ResultSet keys = p.getGeneratedKeys();
                keys.next();
                int id = keys.getInt("id");
                rs.setHeader("Location", rq.getContextPath() + "/api/" + t.resource + "/" + id);
                send(rs, 201, one(c, t.resource, id));
            }
        });
    }

    @Override
    protected void doPut(HttpServletRequest req, HttpServletResponse res) throws IOException {
        handle(req, res, (rq, rs, t, c) -> {
            if (t.id == null)
                throw new ApiException(405, "PUT goes to /api/" + t.resource + "/ID");
            one(c, t.resource, t.id); // 404 before 400
            Map<String, Object> o = Validate.object(body(rq));
            List<String> sets = new ArrayList<>();
            List<Object> vals = new ArrayList<>();
            if (t.resource.equals("companies")) {
                Validate.onlyKnown(o, "id", "name", "city", "created_at");
                String name = Validate.text(o, "name", 200, false);
                String city = Validate.text(o, "city", 200, false);
                if (o.containsKey("name") && (name == null || name.isEmpty()))
                    throw new ApiException(400, "name: empty, expected a non-blank string");
                if (name != null) { sets.add("name = ?"); vals.add(name); }
                if (city != null) { sets.add("city = ?"); vals.add(city); }
            } else {
                Validate.onlyKnown(o, "id", "name", "email", "company_id", "company", "created_at");
                String name = Validate.text(o, "name", 200, false);
                String email = Validate.email(o, "email", false);
                Integer cid = Validate.id(o, "company_id", false);
                if (o.containsKey("name") && (name == null || name.isEmpty()))
                    throw new ApiException(400, "name: empty, expected a non-blank string");
                if (name != null) { sets.add("name = ?"); vals.add(name); }
                if (email != null) { sets.add("email = ?"); vals.add(email); }
                if (cid != null) {
                    companyExists(c, cid);
                    sets.add("company_id = ?");
                    vals.add(cid);
                }
            }
            if (sets.isEmpty())
                throw new ApiException(400, "nothing to update, expected at least one field");
            String sql = "UPDATE " + t.resource + " SET " + String.join(", ", sets) + " WHERE id = ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int k = 1;
                for (Object v : vals)
                    ps.setObject(k++, v);
                ps.setInt(k, t.id);
                ps.executeUpdate();
            }
            send(rs, 200, one(c, t.resource, t.id));
        });
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse res) throws IOException {
        handle(req, res, (rq, rs, t, c) -> {
            if (t.id == null)
                throw new ApiException(405, "DELETE goes to /api/" + t.resource + "/ID");
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.resource + " WHERE id = ?")) {
                ps.setInt(1, t.id);
                if (ps.executeUpdate() == 0)
                    throw new ApiException(404, t.resource.substring(0, t.resource.length() - 1) + " " + t.id + " not found");
            }
            send(rs, 204, null);
        });
    }
}
