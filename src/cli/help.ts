/**
 * The usage texts of `nlkit help`, `nlkit OBJECT help` and `nlkit link help TYPE`: iproute2
 * 6.1's texts, limited to what nlkit does. Loaded only when help is asked for.
 *
 * @module
 */

const IP = `Usage: nlkit [ OPTIONS ] OBJECT { COMMAND | help }
       nlkit [ -force ] -batch filename
       nlkit decode [ --format FORMAT ] [ --view messages|ip ] [ -j ] [ FILE | - ]
where  OBJECT := { address | bridge | decode | help | link | monitor |
                   neighbor | neighbour | netns | nft | route | tap | tuntap }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -h[uman-readable] |
                    -j[son] | -p[retty] | -f[amily] { inet | inet6 | bridge | link } |
                    -4 | -6 | -B | -0 | -br[ief] | -o[neline] |
                    -t[imestamp] | -ts[hort] | -b[atch] [filename] | -force |
                    -n[etns] name | -a[ll] | -help }
Objects are abbreviated as ip abbreviates them (a, r, n, l, ...).
In a batch file each line is "OBJECT COMMAND ..." as after "nlkit"; a line may
start with "-n NETNS" to run in another namespace (one socket per namespace).
Run "nlkit OBJECT help" for an object's commands.
`;

const TYPES = `TYPE := { bond | bridge | dummy | geneve | gre | gretap | ifb | ipip |
          macvlan | macvtap | sit | veth | vlan | vrf | vxlan }
          (tun/tap devices: "nlkit tuntap")`;

const LINK = `Usage: nlkit link add [link DEV] [ name ] NAME
		    [ txqueuelen PACKETS ]
		    [ address LLADDR ]
		    [ broadcast LLADDR ]
		    [ mtu MTU ] [index IDX ]
		    [ numtxqueues QUEUE_COUNT ]
		    [ numrxqueues QUEUE_COUNT ]
		    [ netns { PID | NAME } ]
		    [ master DEVICE ] [ alias NAME ] [ up ]
		    type TYPE [ ARGS ]

	nlkit link delete { DEVICE | dev DEVICE } [ type TYPE ]

	nlkit link set { DEVICE | dev DEVICE }
			[ { up | down } ]
			[ type TYPE ARGS ]
		[ arp { on | off } ]
		[ dynamic { on | off } ]
		[ multicast { on | off } ]
		[ allmulticast { on | off } ]
		[ promisc { on | off } ]
		[ trailers { on | off } ]
		[ carrier { on | off } ]
		[ txqueuelen PACKETS ]
		[ name NEWNAME ]
		[ address LLADDR ]
		[ broadcast LLADDR ]
		[ mtu MTU ]
		[ netns { PID | NAME } ]
		[ alias NAME ]
		[ group GROUP ]
		[ master DEVICE ]
		[ nomaster ]
		[ protodown { on | off } ]

	nlkit link show [ DEVICE | group GROUP ] [up] [master DEV] [type TYPE]
		[nomaster]

	nlkit link help [ TYPE ]

${TYPES}
`;

const LINK_TYPES: Readonly<Record<string, string>> = {
  veth: `Usage: nlkit link <options> type veth [peer <options>]
To get <options> type 'nlkit link add help'
`,
  bridge: `Usage: ... bridge [ fdb_flush ]
		  [ forward_delay FORWARD_DELAY ]
		  [ hello_time HELLO_TIME ]
		  [ max_age MAX_AGE ]
		  [ ageing_time AGEING_TIME ]
		  [ stp_state STP_STATE ]
		  [ priority PRIORITY ]
		  [ group_fwd_mask MASK ]
		  [ group_address ADDRESS ]
		  [ vlan_filtering VLAN_FILTERING ]
		  [ vlan_protocol VLAN_PROTOCOL ]
		  [ vlan_default_pvid VLAN_DEFAULT_PVID ]
		  [ vlan_stats_enabled VLAN_STATS_ENABLED ]
		  [ mcast_snooping MULTICAST_SNOOPING ]
		  [ mcast_router MULTICAST_ROUTER ]
		  [ mcast_query_use_ifaddr MCAST_QUERY_USE_IFADDR ]
		  [ mcast_querier MULTICAST_QUERIER ]
		  [ mcast_hash_elasticity HASH_ELASTICITY ]
		  [ mcast_hash_max HASH_MAX ]
		  [ mcast_last_member_count LAST_MEMBER_COUNT ]
		  [ mcast_startup_query_count STARTUP_QUERY_COUNT ]
		  [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]
		  [ mcast_membership_interval MEMBERSHIP_INTERVAL ]
		  [ mcast_querier_interval QUERIER_INTERVAL ]
		  [ mcast_query_interval QUERY_INTERVAL ]
		  [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]
		  [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]
		  [ mcast_stats_enabled MCAST_STATS_ENABLED ]
		  [ mcast_igmp_version IGMP_VERSION ]
		  [ mcast_mld_version MLD_VERSION ]
		  [ nf_call_iptables NF_CALL_IPTABLES ]
		  [ nf_call_ip6tables NF_CALL_IP6TABLES ]
		  [ nf_call_arptables NF_CALL_ARPTABLES ]

Where: VLAN_PROTOCOL := { 802.1Q | 802.1ad }
       times (delays, ages, intervals) are in centiseconds, as for ip
`,
  vxlan: `Usage: ... vxlan id VNI
		[ { group | remote } IP_ADDRESS ]
		[ local ADDR ]
		[ ttl TTL ]
		[ tos TOS ]
		[ df DF ]
		[ flowlabel LABEL ]
		[ dev PHYS_DEV ]
		[ dstport PORT ]
		[ srcport MIN MAX ]
		[ [no]learning ]
		[ [no]proxy ]
		[ [no]rsc ]
		[ [no]l2miss ]
		[ [no]l3miss ]
		[ ageing SECONDS ]
		[ maxaddress NUMBER ]
		[ [no]udpcsum ]
		[ [no]udp6zerocsumtx ]
		[ [no]udp6zerocsumrx ]
		[ [no]remcsumtx ] [ [no]remcsumrx ]
		[ [no]external ] [ gbp ] [ gpe ]
		[ [no]vnifilter ] [ [no]localbypass ]

Where:	VNI	:= 0-16777215
	ADDR	:= { IP_ADDRESS | any }
	TOS	:= { NUMBER | inherit }
	TTL	:= { 1..255 | auto | inherit }
	DF	:= { unset | set | inherit }
	LABEL := 0-1048575
`,
  macvlan: `Usage: ... macvlan mode MODE [flag MODE_FLAG] [bcqueuelen BC_QUEUE_LEN]

MODE: private | vepa | bridge | passthru | source
MODE_FLAG: null | nopromisc | nodst
BC_QUEUE_LEN: Length of the rx queue for broadcast/multicast: [0-4294967295]
`,
  ipip: `Usage: ... ipip  	[ remote ADDR ]
			[ local ADDR ]
			[ ttl TTL ]
			[ tos TOS ]
			[ [no]pmtudisc ]
			[ dev PHYS_DEV ]
			[ fwmark MARK ]
			[ external ]
			[ noencap ]
			[ encap { fou | gue | none } ]
			[ encap-sport PORT ]
			[ encap-dport PORT ]
			[ [no]encap-csum ]
			[ [no]encap-csum6 ]
			[ [no]encap-remcsum ]
			[ mode { ipip | mplsip | any } ]

Where:	ADDR := { IP_ADDRESS | any }
	TOS  := { NUMBER | inherit }
	TTL  := { 1..255 | inherit }
	MARK := { 0x0..0xffffffff }
`,
  gre: `Usage: ... gre      	[ remote ADDR ]
			[ local ADDR ]
			[ [i|o]seq ]
			[ [i|o]key KEY ]
			[ [i|o]csum ]
			[ ttl TTL ]
			[ tos TOS ]
			[ [no]pmtudisc ]
			[ [no]ignore-df ]
			[ dev PHYS_DEV ]
			[ fwmark MARK ]
			[ external ]
			[ noencap ]
			[ encap { fou | gue | none } ]
			[ encap-sport PORT ]
			[ encap-dport PORT ]
			[ [no]encap-csum ]
			[ [no]encap-csum6 ]
			[ [no]encap-remcsum ]

Where:	ADDR := { IP_ADDRESS | any }
	TOS  := { NUMBER | inherit }
	TTL  := { 1..255 | inherit }
	KEY  := { DOTTED_QUAD | NUMBER }
	MARK := { 0x0..0xffffffff }
`,
  vlan: `Usage: ... vlan id VLANID
		[ protocol VLANPROTO ]
		[ reorder_hdr { on | off } ]
		[ gvrp { on | off } ]
		[ mvrp { on | off } ]
		[ loose_binding { on | off } ]
		[ bridge_binding { on | off } ]
		[ ingress-qos-map QOS-MAP ]
		[ egress-qos-map QOS-MAP ]

VLANID := 0-4095
VLANPROTO: [ 802.1Q | 802.1ad ]
QOS-MAP := [ QOS-MAP ] QOS-MAPPING
QOS-MAPPING := FROM:TO
`,
  bond: `Usage: ... bond [ mode BONDMODE ]
                [ miimon MIIMON ]
                [ updelay UPDELAY ] [ downdelay DOWNDELAY ]
                [ use_carrier USE_CARRIER ]
                [ arp_interval ARP_INTERVAL ]
                [ arp_validate ARP_VALIDATE ]
                [ arp_all_targets ARP_ALL_TARGETS ]
                [ arp_ip_target [ ARP_IP_TARGET, ... ] ]
                [ primary SLAVE_DEV ]
                [ primary_reselect PRIMARY_RESELECT ]
                [ fail_over_mac FAIL_OVER_MAC ]
                [ xmit_hash_policy XMIT_HASH_POLICY ]
                [ resend_igmp RESEND_IGMP ]
                [ num_grat_arp|num_unsol_na NUM_GRAT_ARP|NUM_UNSOL_NA ]
                [ all_slaves_active ALL_SLAVES_ACTIVE ]
                [ min_links MIN_LINKS ]
                [ lp_interval LP_INTERVAL ]
                [ packets_per_slave PACKETS_PER_SLAVE ]
                [ tlb_dynamic_lb TLB_DYNAMIC_LB ]
                [ lacp_rate LACP_RATE ]
                [ ad_select AD_SELECT ]
                [ ad_user_port_key PORTKEY ]
                [ ad_actor_sys_prio SYSPRIO ]
                [ ad_actor_system LLADDR ]

BONDMODE := balance-rr|active-backup|balance-xor|broadcast|802.3ad|balance-tlb|balance-alb
ARP_VALIDATE := none|active|backup|all|filter|filter_active|filter_backup
ARP_ALL_TARGETS := any|all
PRIMARY_RESELECT := always|better|failure
FAIL_OVER_MAC := none|active|follow
XMIT_HASH_POLICY := layer2|layer2+3|layer3+4|encap2+3|encap3+4|vlan+srcmac
LACP_RATE := slow|fast
AD_SELECT := stable|bandwidth|count
`,
  vrf: 'Usage: ... vrf table TABLEID\n',
  dummy: 'Usage: ... dummy\n',
  ifb: 'Usage: ... ifb\n',
  geneve: `Usage: ... geneve id VNI
		remote ADDR
		[ ttl TTL ]
		[ tos TOS ]
		[ df DF ]
		[ flowlabel LABEL ]
		[ dstport PORT ]
		[ [no]external ]
		[ [no]udpcsum ]
		[ [no]udp6zerocsumtx ]
		[ [no]udp6zerocsumrx ]

Where:	VNI   := 0-16777215
	ADDR  := IP_ADDRESS
	TOS   := { NUMBER | inherit }
	TTL   := { 1..255 | inherit }
	DF    := { unset | set | inherit }
	LABEL := 0-1048575
`,
};

const ADDRESS = `Usage: nlkit address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                         [ CONFFLAG-LIST ]
       nlkit address del IFADDR dev IFNAME [mngtmpaddr]
       nlkit address flush [ dev IFNAME ] [ scope SCOPE-ID ]
                            [ to PREFIX ] [ FLAG-LIST ] [ label LABEL ] [up]
       nlkit address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE ]
                         [ nomaster ]
                         [ type TYPE ] [ to PREFIX ] [ FLAG-LIST ]
                         [ label LABEL ] [up] ]
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR ] [ anycast ADDR ]
          [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
SCOPE-ID := [ host | link | global | NUMBER ]
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG  := [ permanent | dynamic | secondary | primary |
           [-]tentative | [-]deprecated | [-]dadfailed | temporary |
           CONFFLAG-LIST ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG  := [ home | nodad | mngtmpaddr | noprefixroute | autojoin ]
LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]
LFT := forever | SECONDS
${TYPES}
`;

const ROUTE = `Usage: nlkit route { list | flush } SELECTOR
       nlkit route get [ ROUTE_GET_FLAGS ] ADDRESS
                            [ from ADDRESS iif STRING ]
                            [ oif STRING ] [ tos TOS ]
                            [ mark NUMBER ]
                            [ uid NUMBER ] [ ipproto PROTOCOL ]
                            [ sport NUMBER ] [ dport NUMBER ]
       nlkit route { add | del | change | append | replace } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ] [ dev STRING ] [ via ADDRESS ]
            [ src ADDRESS ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ]
             [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ]
INFO_SPEC := { NH | nhid ID } OPTIONS FLAGS [ nexthop NH ]...
NH := [ via [ FAMILY ] ADDRESS ]
      [ dev STRING ] [ weight NUMBER ] NHFLAGS
FAMILY := [ inet | inet6 ]
OPTIONS := FLAGS [ mtu NUMBER ] [ advmss NUMBER ]
           [ rtt TIME ] [ rttvar TIME ] [ reordering NUMBER ]
           [ window NUMBER ] [ cwnd NUMBER ] [ initcwnd NUMBER ]
           [ ssthresh NUMBER ] [ src ADDRESS ]
           [ rto_min TIME ] [ hoplimit NUMBER ] [ initrwnd NUMBER ]
           [ features FEATURES ] [ quickack BOOL ] [ congctl NAME ]
           [ pref PREF ] [ expires TIME ] [ fastopen_no_cookie BOOL ]
TYPE := { unicast | local | broadcast | multicast | throw |
          unreachable | prohibit | blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink ]
RTPROTO := [ kernel | boot | static | NUMBER ]
PREF := [ low | medium | high ]
TIME := NUMBER[s|ms]
BOOL := [1|0]
FEATURES := ecn
ROUTE_GET_FLAGS := [ fibmatch ]
A metric may be locked: "mtu lock 1400".
`;

const NEIGH = `Usage: nlkit neigh { add | del | change | replace }
                { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR }
                [ dev DEV ] [ router ] [ use ] [ managed ] [ extern_learn ]
                [ protocol PROTO ]

	nlkit neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]
				  [ nomaster ]

STATE := { delay | failed | incomplete | noarp | none |
           permanent | probe | reachable | stale }
`;

const NETNS = `Usage:	nlkit netns list
	nlkit netns add NAME
	nlkit netns attach NAME PID
	nlkit netns set NAME NETNSID
	nlkit [-all] netns delete [NAME]
	nlkit netns identify [PID]
	nlkit netns pids NAME
	nlkit [-all] netns exec [NAME] cmd ...
	nlkit netns monitor
	nlkit netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]
NETNSID := auto | POSITIVE-INT
`;

const TUNTAP = `Usage: nlkit tuntap { add | del | show | list | lst | help } [ dev PHYS_DEV ]
       [ mode { tun | tap } ] [ user USER ] [ group GROUP ]
       [ one_queue ] [ pi ] [ vnet_hdr ] [ multi_queue ] [ name NAME ]

Where: USER  := { STRING | NUMBER }
       GROUP := { STRING | NUMBER }
`;

const MONITOR = `Usage: nlkit monitor [ all | OBJECTS ] [ label ] [ dev DEVICE ]
OBJECTS :=  address | link | neigh | netconf | nsid | route
With -j every event is one JSON object on its own line, with the keys
"nlkit -j OBJECT show" uses (links as ip monitor shows them, addresses with
"index" and "dev"), and "deleted": true for removals.
`;

const BRIDGE = `Usage: nlkit bridge [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { link | fdb }
       OPTIONS := { -s[tatistics] | -d[etails] | -j[son] | -p[retty] | -n[etns] name }
`;

const BRIDGE_FDB = `Usage: nlkit bridge fdb { add | append | del | replace } ADDR dev DEV
              [ self ] [ master ] [ use ] [ router ] [ extern_learn ]
              [ sticky ] [ local | static | dynamic ] [ vlan VID ]
              { [ dst IPADDR ] [ port PORT] [ vni VNI ] | [ nhid NHID ] }
	       [ via DEV ] [ src_vni VNI ]
       nlkit bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ]
              [ state STATE ] [ dynamic ] ]
`;

const BRIDGE_LINK = `Usage: nlkit bridge link show [dev DEV] [master DEV]
`;

const NFT = `Usage: nlkit nft [ -j ] [ -a ] list ruleset [ FAMILY ]
       nlkit nft [ -j ] list table FAMILY NAME
FAMILY := { ip | ip6 | inet | arp | bridge | netdev }
`;

/** The link usage, or that of a link TYPE. */
export function linkHelp(kind?: string): string {
  if (kind === undefined) return LINK;
  if (kind === 'macvtap') return LINK_TYPES['macvlan']!.replace(/macvlan/g, 'macvtap');
  if (kind === 'sit') return LINK_TYPES['ipip']!.replace('ipip  ', 'sit   ').replace('mode { ipip | mplsip | any }', 'mode { ip6ip | ipip | mplsip | any } ]\n\t\t\t[ isatap');
  if (kind === 'gretap') return LINK_TYPES['gre']!.replace('gre     ', 'gretap  ');
  return LINK_TYPES[kind] ?? `nlkit: link type "${kind}" has no options nlkit knows\n${TYPES}\n`;
}

/** The text of a help topic ('ip', an object, 'link:TYPE', 'bridge:fdb', ...). */
export function helpText(topic: string): string {
  if (topic.startsWith('link:')) return linkHelp(topic.slice(5));
  switch (topic) {
    case 'link':
      return LINK;
    case 'address':
      return ADDRESS;
    case 'route':
      return ROUTE;
    case 'neigh':
      return NEIGH;
    case 'netns':
      return NETNS;
    case 'tuntap':
      return TUNTAP;
    case 'monitor':
      return MONITOR;
    case 'bridge':
      return BRIDGE + BRIDGE_FDB.replace('Usage:', '      ') + BRIDGE_LINK.replace('Usage:', '      ');
    case 'bridge:fdb':
      return BRIDGE_FDB;
    case 'bridge:link':
      return BRIDGE_LINK;
    case 'nft':
      return NFT;
    case 'decode':
      return 'Usage: nlkit decode [ --format auto|hex|raw|pcap|strace ] [ --view messages|ip ] [ -j ] [ FILE | - ]\nRun "nlkit decode --help" for details.\n';
    default:
      return IP;
  }
}
