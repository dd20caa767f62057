<%@ page contentType="text/html; charset=UTF-8" %><%
  String station = application.getInitParameter("apomon.station");
  if (station != null) response.setHeader("X-Backend", station);
%><!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Hello</title></head>
<body>
<h1>Hello, world</h1>
<p id="version">hello 1</p>
<p>Served by <b id="station"><%= station == null ? "?" : station %></b> at <%= new java.util.Date() %>.</p>
</body>
</html>
