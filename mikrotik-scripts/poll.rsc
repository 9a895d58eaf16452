# hotspot-billing poll script for RouterOS 7.12+: installs (or replaces) the script "bill-sync" and its scheduler.
# Edit the three settings in the marked block, then paste this whole file into the router's terminal, or upload it
# and run /import poll.rsc. Pasting it again replaces the script with the same text and changes nothing else.
# Needs: setup.rsc done, device-mode allowing fetch and scheduler, the clock set by NTP, and the backend's
# certificate trusted by the router (mikrotik-scripts/README.md, steps 1-4).
# Protocol: docs/poll-protocol.md. RouterOS facts and idioms used here: docs/routeros-scripts.md.
# Not yet run on real RouterOS by us: tested only through testing/PollingRouter, which does the same steps.

:if ([:len [/system script find where name="bill-sync"]] = 0) do={
  /system script add name="bill-sync" policy=read,write,test
}
/system script set [find where name="bill-sync"] policy=read,write,test dont-require-permissions=no source={
# ===== SETTINGS: the only lines to edit =====
:local base "https://billing.example.com"
:local routerId "PASTE-ROUTER-ID"
:local token "PASTE-THE-POLL-TOKEN"
# ===== END OF SETTINGS =====

# Users this script manages carry this comment; users without it (the ISP's own) are never changed or removed.
:local tag "hotspot-billing"
# The user profile of a speed tier: "2M/5M" -> bill_2M_5M (the backend's push mode uses the same names).
:local profileOf do={
  :local slash [:find $1 "/"]
  :return ("bill_" . [:pick $1 0 $slash] . "_" . [:pick $1 ($slash + 1) [:len $1]])
}
# The list version applied without failure, and the problems last logged (a repeated one is not logged again).
:global billSyncVersion
:global billSyncProblem
:if ([:typeof $billSyncProblem] != "str") do={ :set billSyncProblem "" }
# What went wrong in this pass, one line each; quiet: the pass ended early for an ordinary reason.
:local problems ""
:local quiet false

:do {
  # One pass at a time: a long first sync must not overlap the next scheduled run.
  :if ([/system script job print count-only as-value where script=[:jobname]] > 1) do={
    :set quiet true
    :error ""
  }
  :if ([:len $token] != 64) do={
    :set problems "set the poll token (64 hex digits) in the script's settings\n"
    :error ""
  }
  :local auth ("Authorization: Bearer " . $token)
  :local listUrl ($base . "/routers/" . $routerId . "/authorized-macs/")

  # ---- fetch every page of one list version ----
  :local wantRate [:toarray ""]
  :local wantSecs [:toarray ""]
  :local rates [:toarray ""]
  :local version ""
  :local page 1
  :local pages 1
  :local refetch false
  :local unchanged false
  :while ($page <= $pages) do={
    :local url ($listUrl . "?format=text&confirms=yes&page=" . $page)
    :if ($page = 1 && !$refetch && [:typeof $billSyncVersion] = "str") do={
      :set url ($url . "&version=" . $billSyncVersion)
    }
    :local data ""
    :do {
      :local r [/tool fetch url=$url http-header-field=$auth check-certificate=yes-without-crl \
        output=user as-value]
      :if (($r->"status") = "finished") do={ :set data ($r->"data") }
    } on-error={
      :set problems ("fetch of page " . $page . " failed (network, TLS or HTTP error); nothing changed\n")
      :error ""
    }
    :local len [:len $data]
    # A list starts with #OK and ends with #END: anything else was cut short (fetch keeps at most 64 KB).
    :if ($len < 9 || [:pick $data 0 3] != "#OK" || [:pick $data ($len - 5) $len] != "#END\n") do={
      :set problems ("page " . $page . " arrived incomplete; nothing changed\n")
      :error ""
    }
    :local eol [:find $data "\n"]
    :local header [:pick $data 0 $eol]
    :if ([:pick $header 0 13] = "#OK unchanged") do={
      # Unchanged, unless the router lost users behind the script's back: then fetch the whole list again.
      :local at [:find $header "count="]
      :local expected -1
      :if ([:typeof $at] = "num") do={ :set expected [:tonum [:pick $header ($at + 6) [:len $header]]] }
      :local held [:len [/ip hotspot user find where comment=$tag]]
      :if ($expected < 0 || $refetch || $held = $expected) do={
        :set unchanged true
        :set pages 0
      } else={
        :log info ("bill-sync: " . $held . " users here, " . $expected . " in the list; fetching it whole")
        :set refetch true
      }
    } else={
      :local at [:find $header "version="]
      :local pageVersion [:pick $header ($at + 8) [:find $header " " $at]]
      :local slash [:find $header "/" [:find $header "page="]]
      :set pages [:tonum [:pick $header ($slash + 1) [:len $header]]]
      :if ($page = 1) do={ :set version $pageVersion }
      :if ($pageVersion != $version) do={
        # The list changed between two pages: not a fault, the next run starts over. Nothing changed.
        :set quiet true
        :error ""
      }
      # One pass over the page: each :find starts where the last line ended (linear in the page's size).
      :local pos ($eol + 1)
      :local bodyEnd ($len - 5)
      :while ($pos < $bodyEnd) do={
        :local lineEnd [:find $data "\n" $pos]
        :local line [:pick $data $pos $lineEnd]
        :set pos ($lineEnd + 1)
        # MAC,seconds,rate: the MAC is 17 characters, so the first comma is at 17.
        :local secs
        :local rate ""
        :if ([:pick $line 17] = ",") do={
          :local c2 [:find $line "," 18]
          :if ([:typeof $c2] = "num") do={
            :set secs [:tonum [:pick $line 18 $c2]]
            :set rate [:pick $line ($c2 + 1) [:len $line]]
          }
        }
        :if ([:typeof $secs] != "num" || [:typeof [:find $rate "/"]] != "num") do={
          :set problems ("unreadable line in page " . $page . "; nothing changed\n")
          :error ""
        }
        :local mac [:pick $line 0 17]
        :set ($wantRate->$mac) $rate
        :set ($wantSecs->$mac) $secs
        :set ($rates->$rate) $rate
      }
      :set page ($page + 1)
    }
  }

  :if (!$unchanged) do={
    # ---- apply: speed-tier profiles, then our users (change or remove), then the new ones ----
    :local failed 0
    :local failedMacs ""
    :local lastError ""
    :foreach rate in=$rates do={
      :local prof [$profileOf $rate]
      :local p [/ip hotspot user profile find where name=$prof]
      :do {
        :if ([:len $p] = 0) do={
          /ip hotspot user profile add name=$prof rate-limit=$rate shared-users=1
        } else={
          :if ([/ip hotspot user profile get $p rate-limit] != $rate) do={
            /ip hotspot user profile set $p rate-limit=$rate
          }
        }
      } on-error={
        :set failed ($failed + 1)
        :set lastError ("cannot set up profile " . $prof)
        :set problems ($problems . $lastError . "\n")
      }
    }
    :foreach id in=[/ip hotspot user find where comment=$tag] do={
      :local name [/ip hotspot user get $id name]
      :local rate ($wantRate->$name)
      # Listed: taken off what is left to add, whatever happens below (a failed change is no reason to add).
      :set ($wantRate->$name)
      :do {
        :if ([:typeof $rate] = "str") do={
          :local prof [$profileOf $rate]
          :if ([/ip hotspot user get $id profile] != $prof) do={
            /ip hotspot user set $id profile=$prof
            # The new rate limit applies from the next login, which MAC login makes at once.
            /ip hotspot active remove [find where user=$name]
            :log info ("bill-sync: " . $name . " now at " . $rate)
          }
          # limit-uptime counts online time: uptime so far + seconds left, raised only when a top-up outgrows it.
          :local needed ([/ip hotspot user get $id uptime] + [:totime (($wantSecs->$name) . "s")])
          :local limit [/ip hotspot user get $id limit-uptime]
          :if ([:typeof $limit] != "time" || $limit = 0s || ($limit + 60s) < $needed) do={
            /ip hotspot user set $id limit-uptime=$needed
            :log info ("bill-sync: " . $name . " may stay online " . $needed . " in all")
          }
          :if ([/ip hotspot user get $id disabled]) do={ /ip hotspot user set $id disabled=no }
        } else={
          /ip hotspot user remove $id
          /ip hotspot active remove [find where user=$name]
          :log info ("bill-sync: removed " . $name)
        }
      } on-error={
        :set failed ($failed + 1)
        :set failedMacs ($failedMacs . "," . $name)
        :set lastError ("cannot change " . $name)
        :set problems ($problems . $lastError . "\n")
      }
    }
    # Left in $wantRate: the MACs not found among our users by the find above, so adding cannot duplicate one.
    :foreach mac,rate in=$wantRate do={
      :local prof [$profileOf $rate]
      :local secs ($wantSecs->$mac)
      :do {
        /ip hotspot user add name=$mac password=$mac mac-address=$mac profile=$prof \
          limit-uptime=[:totime ($secs . "s")] comment=$tag
        :log info ("bill-sync: added " . $mac . " at " . $rate . " for " . $secs . "s")
      } on-error={
        :set failed ($failed + 1)
        :set failedMacs ($failedMacs . "," . $mac)
        :if ([:len [/ip hotspot user find where name=$mac]] > 0) do={
          :set lastError ("cannot add " . $mac . ": the router has a user of that name without the tag")
        } else={
          :set lastError ("cannot add " . $mac)
        }
        :set problems ($problems . $lastError . "\n")
      }
    }

    # ---- report: the backend marks what this router applied (docs/poll-protocol.md "Confirm") ----
    :local report ("failed=" . $failed . "\n")
    :if ($failed = 0) do={
      :set billSyncVersion $version
      :set report ("version=" . $version . "\n" . $report)
    } else={
      :set report ($report . "error=" . $lastError . "\n")
      # Named failures let the rest of the list count as applied; past 64 the report confirms nothing.
      :if ($failed <= 64) do={
        :set report ("version=" . $version . "\nmacs=" . [:pick $failedMacs 1 [:len $failedMacs]] . "\n" . $report)
      }
    }
    :do {
      /tool fetch url=($listUrl . "applied/") http-method=post http-data=$report http-header-field=$auth \
        check-certificate=yes-without-crl output=user as-value
    } on-error={
      # Not fatal: the next poll, holding the version, confirms it.
      :set problems ($problems . "could not report the pass; the next poll confirms it\n")
    }
  }
} on-error={
  :if (!$quiet && [:len $problems] = 0) do={
    :set problems "the pass stopped on an unexpected RouterOS error; run /system script run bill-sync to see it\n"
  }
}

# ---- log: a change is one line (above); a problem is logged once, until it changes or clears ----
:if (!$quiet) do={
  :if ([:len $problems] > 0) do={
    :if ($problems != $billSyncProblem) do={
      :local pos 0
      :while ($pos < [:len $problems]) do={
        :local lineEnd [:find $problems "\n" $pos]
        :log warning ("bill-sync: " . [:pick $problems $pos $lineEnd])
        :set pos ($lineEnd + 1)
      }
      :set billSyncProblem $problems
    }
  } else={
    :if ([:len $billSyncProblem] > 0) do={
      :log info "bill-sync: back to normal"
      :set billSyncProblem ""
    }
  }
}
}

:if ([:len [/system scheduler find where name="bill-sync"]] = 0) do={
  /system scheduler add name="bill-sync" interval=10s on-event="/system script run bill-sync" \
    policy=read,write,test
}
/system scheduler set [find where name="bill-sync"] interval=10s on-event="/system script run bill-sync" \
  policy=read,write,test disabled=no
:put "hotspot-billing: poll script bill-sync installed; it runs every 10 s (/log print where message~\"bill-sync\")"
