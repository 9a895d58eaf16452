# hotspot-billing: what a RouterOS 7.12+ hotspot needs to sell access through the backend, in either delivery mode.
# Edit the marked block, then paste this whole file into the router's terminal (or upload it and /import setup.rsc).
# Running it again changes nothing: every step finds its entry first and adds only what is missing.
# Before it (mikrotik-scripts/README.md): device-mode allows hotspot, "/ip hotspot setup" has made the hotspot, the
# clock is set by NTP, and the backend's certificate is trusted. After it: poll.rsc (poll mode) or setup-push.rsc.
# Facts and idioms: docs/routeros-scripts.md. Not yet run on real RouterOS by us: try it on a CHR or lab router.
{
# ===== SETTINGS: the only lines to edit =====
# The backend's host name (or IP address), as customers' phones reach it: the captive page calls it before paying.
:local backendHost "billing.example.com"
# Checkout hosts unpaid customers may open, separated by commas. Leave empty for M-Pesa prompts (STK push), which
# need none. Only if you sell through IntaSend payment links, list its live checkout host:
#   :local checkoutHosts "payment.intasend.com"
:local checkoutHosts ""
# ===== END OF SETTINGS =====

:local tag "hotspot-billing"

# 1. RouterOS 7.12 or newer: the poll script's overlap guard (:jobname) and fetch headers need it.
:local version [/system resource get version]
:local dot [:find $version "."]
:local major [:tonum [:pick $version 0 $dot]]
:local minorEnd [:find $version "." ($dot + 1)]
:if ([:typeof $minorEnd] != "num") do={ :set minorEnd [:find $version " "] }
:local minor [:tonum [:pick $version ($dot + 1) $minorEnd]]
:if ($major < 7 || ($major = 7 && $minor < 12)) do={
  :error ("hotspot-billing needs RouterOS 7.12 or newer; this router runs " . $version)
}

# 2. Time: the clock restarts at 1970 after every boot without NTP, and TLS then fails. Keeps your servers if any.
/system ntp client set enabled=yes
:if ([:len [/system ntp client get servers]] = 0) do={
  /system ntp client set servers=pool.ntp.org
}

# 3. MAC login on every hotspot server's profile (a paid device is let in by its MAC, with no form), and plain
#    login for the captive page's form. Login methods already there are kept.
:local servers [/ip hotspot find]
:if ([:len $servers] = 0) do={
  :error "no hotspot server yet: run /ip hotspot setup first (after enabling hotspot in device-mode on 7.17+)"
}
:foreach server in=$servers do={
  :local profile [/ip hotspot get $server profile]
  :local id [/ip hotspot profile find where name=$profile]
  :local methods [:toarray [/ip hotspot profile get $id login-by]]
  :local wanted ""
  :foreach m in=$methods do={ :set wanted ($wanted . "," . $m) }
  :foreach m in={"mac";"http-pap"} do={
    :if ([:typeof [:find $methods $m]] != "num") do={ :set wanted ($wanted . "," . $m) }
  }
  :set wanted [:pick $wanted 1 [:len $wanted]]
  /ip hotspot profile set $id login-by=$wanted mac-auth-mode=mac-as-username-and-password
}

# 4. Walled garden: before paying, unpaid clients reach only the backend over HTTPS (and the checkout hosts, when
#    set). HTTPS needs IP-level rules (the HTTP walled garden cannot see inside TLS). Our rules carry the tag:
#    rules of ours that are no longer wanted (an older setup's, a sandbox host) are removed.
:local hosts [:toarray ($backendHost . "," . $checkoutHosts)]
# The same hosts as one comma-bounded string, to look a rule's host up as text whatever type :toarray gave it.
:local wantedText ","
:foreach h in=$hosts do={ :set wantedText ($wantedText . [:tostr $h] . ",") }
:foreach rule in=[/ip hotspot walled-garden find where comment=$tag] do={
  /ip hotspot walled-garden remove $rule
}
:foreach rule in=[/ip hotspot walled-garden ip find where comment=$tag] do={
  :local host [:tostr [/ip hotspot walled-garden ip get $rule dst-host]]
  :local address [:tostr [/ip hotspot walled-garden ip get $rule dst-address]]
  :if ([:typeof [:find $wantedText ("," . $host . ",")]] != "num" \
      && [:typeof [:find $wantedText ("," . $address . ",")]] != "num") do={
    /ip hotspot walled-garden ip remove $rule
  }
}
:foreach h in=$hosts do={
  :local name [:tostr $h]
  :if ([:len $name] > 0) do={
    :if ([:typeof [:toip $name]] = "ip") do={
      :if ([:len [/ip hotspot walled-garden ip find where comment=$tag and dst-address=[:toip $name]]] = 0) do={
        /ip hotspot walled-garden ip add action=accept dst-address=[:toip $name] protocol=tcp dst-port=443 \
          comment=$tag
      }
    } else={
      :if ([:len [/ip hotspot walled-garden ip find where comment=$tag and dst-host=$name]] = 0) do={
        /ip hotspot walled-garden ip add action=accept dst-host=$name protocol=tcp dst-port=443 comment=$tag
      }
    }
  }
}

:put ("hotspot-billing: hotspot set up for " . $backendHost . "; next: poll.rsc (poll mode) or setup-push.rsc")
}
