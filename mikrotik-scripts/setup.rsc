# hotspot-billing: one-time router setup. Sections 1-4 serve poll mode (the router polls the backend; works behind
# carrier NAT); section 5 adds what push mode needs (the backend calls the router's REST API).
# Run after "/ip hotspot setup" has created the hotspot (server profile hsprof1). Replace the CHANGE-ME values.
# Written from RouterOS v7 documentation (../shared/mikrotik.md 2-5); NOT yet run on a real router: try it on a
# lab router or CHR first.

# 0. RouterOS >= 7.17: hotspot, fetch and scheduler need a device-mode that allows them (asks for a physical
#    confirmation and reboots). Skip on older versions.
# /system device-mode update hotspot=yes

# 1. Correct time: without NTP the clock restarts at 1970 after every boot.
/system ntp client set enabled=yes
/system ntp client servers add address=pool.ntp.org

# 2. MAC login: a paid device is let in by its MAC, with no form.
/ip hotspot profile set [find name=hsprof1] login-by=mac,http-pap,http-chap mac-auth-mode=mac-as-username-and-password

# 3. Walled garden: before paying, clients must reach the billing API (the captive page calls it) and IntaSend.
#    HTTPS hosts need IP-level rules too. Tagged, so re-running is harmless to find and clean up.
/ip hotspot walled-garden add dst-host=billing.example.com comment=hotspot-billing
/ip hotspot walled-garden ip add dst-host=billing.example.com action=accept comment=hotspot-billing
/ip hotspot walled-garden ip add dst-host=payment.intasend.com action=accept comment=hotspot-billing
/ip hotspot walled-garden ip add dst-host=sandbox.intasend.com action=accept comment=hotspot-billing

# 4. The poll script (paste mikrotik-scripts/poll.rsc as its source, with your router id and poll token), and its
#    scheduler: every 15 s; an unchanged list costs one tiny request.
/system script add name=bill-sync policy=read,write,test source=""
/system scheduler add name=bill-sync interval=15s on-event="/system script run bill-sync" policy=read,write,test

# 5. Push mode only (router delivery "push" or "both"; skip for poll): the backend calls this router's REST API.
#    REST over HTTPS, reachable only from the billing server's address (replace 203.0.113.10). With this
#    self-signed certificate, set the router's verify_tls=false in the backend, or trust bill-ca there.
/certificate add name=bill-ca common-name=bill-ca key-usage=key-cert-sign,crl-sign days-valid=3650
/certificate sign bill-ca
/certificate add name=bill-rest common-name=router.example.net days-valid=3650
/certificate sign bill-rest ca=bill-ca
/ip service set www-ssl disabled=no certificate=bill-rest address=203.0.113.10/32 tls-version=only-1.2
#    A least-privilege group and user for the backend (the same username and password go into the router's
#    settings in the backend, which stores the password encrypted). The backend reads and writes only
#    /ip/hotspot/user, /ip/hotspot/user/profile, /ip/hotspot/active, /ip/hotspot/ip-binding and /queue/simple,
#    and only entries commented "hotspot-billing".
/user group add name=hotspot-billing policy=read,write,rest-api
/user add name=billing group=hotspot-billing address=203.0.113.10/32 password="CHANGE-ME-LONG-RANDOM-SECRET"
#    The backend creates the speed-tier user profiles it needs itself (bill_<up>_<down>, e.g. bill_2M_5M).
#    For enforcement_mode ip-binding, disable FastTrack for hotspot clients, or their simple queues are bypassed.
