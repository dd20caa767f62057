"""A read-only company directory over the skel database."""
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

QUERY = """
    SELECT c.id, c.name, c.city, count(u.id)
      FROM companies c LEFT JOIN users u ON u.company_id = c.id
     GROUP BY c.id, c.name, c.city
     ORDER BY c.name
"""


def rows():
    with connection.cursor() as cur:
        cur.execute(QUERY)
        return [{"id": r[0], "name": r[1], "city": r[2], "users": r[3]}
                for r in cur.fetchall()]


def companies(request):
    items = "".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n".format(
            escape(c["name"]), escape(c["city"]), c["users"])
        for c in rows())
    return HttpResponse(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
        "<title>Company directory</title></head><body>\n"
        "<h1>Company directory</h1>\n"
        "<table>\n<tr><th>Company</th><th>City</th><th>Users</th></tr>\n"
        + items + "</table>\n</body></html>\n")


def companies_json(request):
    return JsonResponse({"companies": rows()})
