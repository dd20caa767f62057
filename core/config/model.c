/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "config/conf-internal.h"
#include "config/model.h"
#include "base/util.h"

static void station_free(struct apo_station *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->fqdn);
	free(s->type_name);
	free(s->image);
	free(s->addrs);
	free(s->publish);
	for (size_t i = 0; i < s->n_depends; i++)
		free(s->depends[i]);
	free(s->depends);
	free(s->depends_loc);
	for (size_t i = 0; i < s->n_seal; i++)
		free(s->seal[i]);
	free(s->seal);
	free(s->path);
	free(s);
}

static void cluster_free(struct apo_cluster *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->domain);
	free(c->gateway_name);
	/* the stations belong to the model's flat list */
	free(c->stations);
	for (size_t i = 0; i < c->n_records; i++) {
		free(c->records[i].name);
		free(c->records[i].type);
		free(c->records[i].value);
		free(c->records[i].path);
	}
	free(c->records);
	free(c->path);
	free(c);
}

static void link_free(struct apo_link *l)
{
	if (!l)
		return;
	free(l->a);
	free(l->b);
	free(l->path);
	free(l);
}

void apo_model_free(struct apo_model *m)
{
	if (!m)
		return;
	free(m->env);
	free(m->confdir);
	for (size_t i = 0; i < m->n_plugin_path; i++)
		free(m->plugin_path[i]);
	free(m->plugin_path);
	for (size_t i = 0; i < m->n_images_path; i++)
		free(m->images_path[i]);
	free(m->images_path);
	free(m->host_services);
	for (size_t i = 0; i < m->n_clusters; i++)
		cluster_free(m->clusters[i]);
	free(m->clusters);
	for (size_t i = 0; i < m->n_stations; i++)
		station_free(m->stations[i]);
	free(m->stations);
	for (size_t i = 0; i < m->n_links; i++)
		link_free(m->links[i]);
	free(m->links);
	for (size_t i = 0; i < m->n_configs; i++) {
		config_destroy(m->configs[i]);
		free(m->configs[i]);
	}
	free(m->configs);
	for (size_t i = 0; i < m->n_files; i++)
		free(m->files[i]);
	free(m->files);
	free(m);
}

void apo_model_station_free(struct apo_station *s)
{
	station_free(s);
}

struct apo_station *apo_model_station(const struct apo_model *m, const char *name)
{
	for (size_t i = 0; m && name && i < m->n_stations; i++)
		if (m->stations[i]->name && strcmp(m->stations[i]->name, name) == 0)
			return m->stations[i];
	return NULL;
}

struct apo_cluster *apo_model_cluster(const struct apo_model *m, const char *name)
{
	for (size_t i = 0; m && name && i < m->n_clusters; i++)
		if (m->clusters[i]->name && strcmp(m->clusters[i]->name, name) == 0)
			return m->clusters[i];
	return NULL;
}

const char *apo_model_intern_file(struct apo_model *m, const char *file)
{
	if (!file)
		return NULL;
	for (size_t i = 0; i < m->n_files; i++)
		if (strcmp(m->files[i], file) == 0)
			return m->files[i];
	m->files = apo_xreallocarray(m->files, m->n_files + 1, sizeof(*m->files));
	m->files[m->n_files] = apo_xstrdup(file);
	return m->files[m->n_files++];
}

struct apo_loc apo_model_loc(struct apo_model *m, const config_setting_t *s)
{
	struct apo_loc loc = {0};

	if (!s)
		return loc;
	loc.file = apo_model_intern_file(m, config_setting_source_file(s));
	loc.line = config_setting_source_line(s);
	return loc;
}
