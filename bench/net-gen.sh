# Sourced by the network tests and benchmark: writes a topology.

# net_gen DIR ENV N CLUSTERS OCTET: a topology of N `base` stations over
# CLUSTERS clusters (10.OCTET.C.0/24) with a backbone; host link
# 10.OCTET.255.0/30.  Station i is s<i> in cluster c<i % CLUSTERS>.
net_gen() {
	_d=$1 _env=$2 _n=$3 _nc=$4 _o=$5
	mkdir -p "$_d/conf.d"
	cat >"$_d/apomon.conf" <<-EOT
	environment = "$_env";
	backbone = { name = "bb"; domain = "$_env.test"; type = "base";
	             host_network = "10.$_o.255.0/30"; };
	EOT
	_c=0
	while [ "$_c" -lt "$_nc" ]; do
		{
			printf 'cluster = { name = "c%d"; domain = "c%d.%s.test"; network = "10.%d.%d.0/24";\n' \
				"$_c" "$_c" "$_env" "$_o" "$_c"
			printf '  stations = (\n'
			_i=$_c _k=0 _sep=""
			while [ "$_i" -lt "$_n" ]; do
				printf '%s    { name = "s%d"; type = "base"; addresses = ["10.%d.%d.%d"]; }' \
					"$_sep" "$_i" "$_o" "$_c" $((_k + 10))
				_sep=",
"
				_i=$((_i + _nc)) _k=$((_k + 1))
			done
			printf '\n  );\n};\n'
		} >"$_d/conf.d/$(printf '%03d' "$_c")-c$_c.conf"
		_c=$((_c + 1))
	done
}

