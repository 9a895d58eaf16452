# hotspot-billing: one-time router setup for pull mode (the router polls the backend; works behind carrier NAT).
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
