# hotspot-billing push mode (router delivery "push" or "both"): the backend calls this router's REST API over HTTPS.
# Edit the marked block, then paste this whole file into the router's terminal (or upload it and /import it), after
# setup.rsc. Running it again changes nothing: it finds what it made before (all tagged "hotspot-billing") and
# never replaces the REST user's password (remove the user first to get a new one).
# Facts and idioms: docs/routeros-scripts.md "Push setup". Not yet run on real RouterOS by us: try it on a CHR first.
{
# ===== SETTINGS: the only lines to edit =====
# The address the backend calls from (its public IPv4 address): the only source let through to REST.
:local backendAddress "203.0.113.10"
# How the backend reaches this router: its address and, if it has one, its DNS name. Both go into the router's
# certificate (subject-alt-name), so the backend's TLS check can match the name or address it dials.
:local routerAddress "198.51.100.20"
:local routerName "router1.isp.example"
# ===== END OF SETTINGS =====

:local tag "hotspot-billing"
:local user "hotspot-billing"

# 1. The REST user: a group with only what the backend uses (read and write hotspot users, profiles, sessions,
#    bindings and queues, over REST), usable only from the backend's address. The password is made here, 32
#    letters and digits (nothing RouterOS would need escaped), and printed once: put it into the backend
#    (PATCH /routers/{id}/ {"username": "hotspot-billing", "password": "..."}).
:if ([:len [/user group find where name=$user]] = 0) do={
  /user group add name=$user policy=read,write,rest-api
}
/user group set [find where name=$user] policy=read,write,rest-api
:if ([:len [/user find where name=$user]] = 0) do={
  :local alphabet "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
  :local password ""
  :for i from=1 to=32 do={
    :set password ($password . [:pick $alphabet [:rndnum from=0 to=61]])
  }
  /user add name=$user group=$user address=$backendAddress password=$password comment=$tag
  :put ("hotspot-billing: REST user " . $user . " created with password " . $password)
  :put "hotspot-billing: copy it into the backend now; it is not shown again"
} else={
  /user set [find where name=$user] group=$user address=$backendAddress
  :put ("hotspot-billing: REST user " . $user . " exists; its password is unchanged")
}

# 2. The router's certificate for www-ssl, with the address and name the backend dials as subject-alt-names, signed
#    by a CA made on this router. Made once; kept on later runs.
:if ([:len [/certificate find where name="hotspot-billing-ca"]] = 0) do={
  /certificate add name=hotspot-billing-ca common-name=hotspot-billing-ca key-usage=key-cert-sign,crl-sign \
    days-valid=3650
  /certificate sign hotspot-billing-ca
}
:if ([:len [/certificate find where name="hotspot-billing-rest"]] = 0) do={
  :local san ("IP:" . $routerAddress)
  :if ([:len $routerName] > 0) do={ :set san ($san . ",DNS:" . $routerName) }
  :local cn $routerAddress
  :if ([:len $routerName] > 0) do={ :set cn $routerName }
  /certificate add name=hotspot-billing-rest common-name=$cn subject-alt-name=$san days-valid=3650 \
    key-usage=digital-signature,key-encipherment,tls-server
  /certificate sign hotspot-billing-rest ca=hotspot-billing-ca
}

# 3. REST only over HTTPS: www-ssl with that certificate, TLS 1.2+, answering only the backend's address; plain
#    www (which serves REST too, in clear text) off. WebFig then needs https:// or WinBox.
/ip service set www-ssl disabled=no certificate=hotspot-billing-rest tls-version=only-1.2 address=$backendAddress
/ip service set www disabled=yes

# 4. The firewall: the default configuration drops input from the WAN, and /ip service address= is not a packet
#    filter. Accept the backend's HTTPS above every other input rule, so above the default drop.
:if ([:len [/ip firewall filter find where comment=$tag]] = 0) do={
  :local first [/ip firewall filter find where chain=input]
  :if ([:len $first] > 0) do={
    /ip firewall filter add chain=input action=accept protocol=tcp dst-port=443 src-address=$backendAddress \
      comment=$tag place-before=[:pick $first 0]
  } else={
    /ip firewall filter add chain=input action=accept protocol=tcp dst-port=443 src-address=$backendAddress \
      comment=$tag
  }
}

:put ("hotspot-billing: push set up; in the backend set host " . $routerAddress . ", port 443, use_https true")
:put ("hotspot-billing: the certificate's SHA-256 fingerprint: " \
  . [/certificate get [find where name="hotspot-billing-rest"] fingerprint])
}
