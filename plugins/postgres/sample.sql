-- The sample data of the skel database (plugins/postgres/pg-sample.h is made from it).
CREATE TABLE companies (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
  city text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE users (
  id serial PRIMARY KEY,
  company_id integer NOT NULL REFERENCES companies(id) ON DELETE RESTRICT,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  email text NOT NULL UNIQUE CHECK (position('@' in email) > 1),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_company_id ON users (company_id);
INSERT INTO companies (name, city) VALUES
  ('Acme Logistics', 'Hamburg'),
  ('Birchwood Analytics', 'Leeds'),
  ('Cobalt Systems', 'Lyon'),
  ('Delta Greenhouses', 'Utrecht'),
  ('Ember Robotics', 'Turin'),
  ('Fjord Shipping', 'Bergen'),
  ('Granite Insurance', 'Aberdeen'),
  ('Harbor Foods', 'Porto');
INSERT INTO users (company_id, name, email) VALUES
  (1, 'Anna Schmidt', 'anna.schmidt@acme.example'),
  (2, 'Ben Silva', 'ben.silva@birchwood.example'),
  (3, 'Chloe Fraser', 'chloe.fraser@cobalt.example'),
  (4, 'David Berg', 'david.berg@delta.example'),
  (5, 'Elena Conti', 'elena.conti@ember.example'),
  (6, 'Felix Jansen', 'felix.jansen@fjord.example'),
  (7, 'Grace Moreau', 'grace.moreau@granite.example'),
  (8, 'Hugo Taylor', 'hugo.taylor@harbor.example'),
  (1, 'Iris Weber', 'iris.weber@acme.example'),
  (2, 'Jonas Costa', 'jonas.costa@birchwood.example'),
  (3, 'Klara Campbell', 'klara.campbell@cobalt.example'),
  (4, 'Liam Olsen', 'liam.olsen@delta.example'),
  (5, 'Mia Rossi', 'mia.rossi@ember.example'),
  (6, 'Noah Bakker', 'noah.bakker@fjord.example'),
  (7, 'Olivia Martin', 'olivia.martin@granite.example'),
  (8, 'Paul Clarke', 'paul.clarke@harbor.example'),
  (1, 'Quentin Schmidt', 'quentin.schmidt@acme.example'),
  (2, 'Rosa Silva', 'rosa.silva@birchwood.example'),
  (3, 'Samuel Fraser', 'samuel.fraser@cobalt.example'),
  (4, 'Tara Berg', 'tara.berg@delta.example'),
  (5, 'Ulrich Conti', 'ulrich.conti@ember.example'),
  (6, 'Vera Jansen', 'vera.jansen@fjord.example'),
  (7, 'William Moreau', 'william.moreau@granite.example'),
  (8, 'Xenia Taylor', 'xenia.taylor@harbor.example'),
  (1, 'Yusuf Weber', 'yusuf.weber@acme.example'),
  (2, 'Zoe Costa', 'zoe.costa@birchwood.example'),
  (3, 'Aaron Campbell', 'aaron.campbell@cobalt.example'),
  (4, 'Bianca Olsen', 'bianca.olsen@delta.example'),
  (5, 'Carlos Rossi', 'carlos.rossi@ember.example'),
  (6, 'Dana Bakker', 'dana.bakker@fjord.example'),
  (7, 'Emil Martin', 'emil.martin@granite.example'),
  (8, 'Frida Clarke', 'frida.clarke@harbor.example'),
  (1, 'Gustav Schmidt', 'gustav.schmidt@acme.example'),
  (2, 'Hanna Silva', 'hanna.silva@birchwood.example'),
  (3, 'Ivan Fraser', 'ivan.fraser@cobalt.example'),
  (4, 'Julia Berg', 'julia.berg@delta.example');
