# hotspot-billing: pull the paid devices for this router and apply them as hotspot users.
# Install (see README): /system script add name=bill-sync policy=read,write,test source=[paste this file]
# Written from RouterOS v7 documentation (../shared/mikrotik.md 3.1-3.4); NOT yet run on a real router: try it on
# a lab router or CHR first.
#
# Behaviour:
# - fetches GET /routers/<id>/authorized-macs/?format=text (every page) with the router's poll token;
# - answers "#OK unchanged" cost nothing: nothing is touched;
# - refuses to change anything when a download fails, is empty, or is cut short (no "#END": RouterOS fetch
#   silently truncates at 64 KB);
# - adds, updates and removes ONLY users tagged with $tag; the ISP's own users are never touched;
# - a removed user's active session is kicked, so expiry is on the backend's wall clock, not limit-uptime.

:local base "https://billing.example.com"
:local routerId "42"
:local token "PASTE-THE-POLL-TOKEN"
:local tag "hotspot-billing"

:global billSyncVersion
:if ([/system script job print count-only as-value where script=[:jobname]] > 1) do={ :error "bill-sync: already running" }

:local want [:toarray ""]
:local page 1
:local pages 1
:local version ""
:while ($page <= $pages) do={
  :local url ($base . "/routers/" . $routerId . "/authorized-macs/?format=text&page=" . $page . "&token=" . $token)
  :if ($page = 1 && [:typeof $billSyncVersion] = "str") do={ :set url ($url . "&version=" . $billSyncVersion) }
  :local data ""
  :do {
    :local r [/tool fetch url=$url check-certificate=yes-without-crl idle-timeout=20s output=user as-value]
    :if (($r->"status") = "finished") do={ :set data ($r->"data") }
  } on-error={ :log warning "bill-sync: fetch failed, nothing changed"; :error "bill-sync: fetch failed" }
  :if ([:pick $data 0 13] = "#OK unchanged") do={ :error "bill-sync: unchanged" }
  :if ([:pick $data 0 3] != "#OK" || [:typeof [:find $data "\n#END"]] = "nil") do={
    :log warning "bill-sync: incomplete list, nothing changed"; :error "bill-sync: incomplete list" }
  # header: #OK v1 router=<id> count=<n> version=<v> page=<p>/<pages>
  :local eol [:find $data "\n"]
  :local header [:pick $data 0 $eol]
  :local v [:find $header "version="]
  :local sp [:find $header " " $v]
  :set version [:pick $header ($v + 8) $sp]
  :local slash [:find $header "/" [:find $header "page="]]
  :set pages [:tonum [:pick $header ($slash + 1) [:len $header]]]
  :set data [:pick $data ($eol + 1) [:len $data]]
  :while ([:len $data] > 0) do={
    :set eol [:find $data "\n"]
    :if ([:typeof $eol] = "nil") do={ :set eol [:len $data] }
    :local line [:pick $data 0 $eol]
    :set data [:pick $data ($eol + 1) [:len $data]]
    :if ([:pick $line ([:len $line] - 1)] = "\r") do={ :set line [:pick $line 0 ([:len $line] - 1)] }
    :local c1 [:find $line ","]
    :if ([:pick $line 0 1] != "#" && [:typeof $c1] = "num") do={
      :local mac [:pick $line 0 $c1]
      :local rest [:pick $line ($c1 + 1) [:len $line]]
      :local c2 [:find $rest ","]
      :if ([:typeof $c2] = "num") do={
        :local secs [:tonum [:pick $rest 0 $c2]]
        :local rate [:pick $rest ($c2 + 1) [:len $rest]]
        :local sl [:find $rate "/"]
        :if ($secs > 0 && [:typeof $sl] = "num") do={
          :local prof ("bill_" . [:pick $rate 0 $sl] . "_" . [:pick $rate ($sl + 1) [:len $rate]])
          :if ([:len [/ip hotspot user profile find where name=$prof]] = 0) do={
            /ip hotspot user profile add name=$prof rate-limit=$rate shared-users=1 }
          :set ($want->$mac) $prof
        }
      }
    }
  }
  :set page ($page + 1)
}

# update or remove the users this backend created
:foreach id in=[/ip hotspot user find where comment=$tag] do={
  :local name [/ip hotspot user get $id name]
  :local prof ($want->$name)
  :if ([:typeof $prof] = "str") do={
    :if ([/ip hotspot user get $id profile] != $prof) do={
      /ip hotspot user set $id profile=$prof
      /ip hotspot active remove [find where user=$name] }
    :set ($want->$name)
  } else={
    /ip hotspot user remove $id
    /ip hotspot active remove [find where user=$name]
  }
}
# add the new ones; a clash with one of the ISP's own users must not abort the run
:foreach mac,prof in=$want do={
  :do { /ip hotspot user add name=$mac password=$mac mac-address=$mac profile=$prof comment=$tag } \
    on-error={ :log warning ("bill-sync: cannot add " . $mac) }
}
:set billSyncVersion $version
