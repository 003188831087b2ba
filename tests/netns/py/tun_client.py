#!/usr/bin/python3
# The lab's tun_client.py (Task 5): a TUN interface on host U, and a select() loop that sends
# every packet read from it to the VPN server in one UDP datagram, and writes every datagram
# received into it. Kept as the lab writes it (os.system for ip, scapy to print), so adit's lab
# mode is tested against the real thing. Run with /usr/bin/python3 (Debian's python3-scapy).
import argparse
import fcntl
import os
import select
import socket
import struct

from scapy.all import IP

TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000

ap = argparse.ArgumentParser(description="the lab's VPN client")
ap.add_argument("server", help="VPN server IP, e.g. 10.9.0.11")
ap.add_argument("--port", type=int, default=9090, help="server port (9090)")
ap.add_argument("--bind", type=int, metavar="PORT",
                help="bind this local port (the lab's 'both ends bind 9090' variant)")
ap.add_argument("--name", default="tun%d", help="interface name template (tun%%d)")
ap.add_argument("--addr", default="192.168.53.99/24", help="TUN address (192.168.53.99/24)")
ap.add_argument("--route", action="append",
                help="route via the TUN, repeatable (192.168.60.0/24)")
args = ap.parse_args()
routes = args.route or ["192.168.60.0/24"]

tun = os.open("/dev/net/tun", os.O_RDWR)
ifr = struct.pack('16sH', args.name.encode(), IFF_TUN | IFF_NO_PI)
ifname_bytes = fcntl.ioctl(tun, TUNSETIFF, ifr)
ifname = ifname_bytes.decode('UTF-8')[:16].strip("\x00")
print("Interface Name: {}".format(ifname), flush=True)

os.system("ip addr add {} dev {}".format(args.addr, ifname))
os.system("ip link set dev {} up".format(ifname))
for net in routes:
    os.system("ip route add {} dev {}".format(net, ifname))

SERVER = (args.server, args.port)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if args.bind is not None:
    sock.bind(("0.0.0.0", args.bind))
while True:
    ready, _, _ = select.select([sock, tun], [], [])
    for fd in ready:
        if fd is sock:
            data, (ip, port) = sock.recvfrom(2048)
            pkt = IP(data)
            print("From socket <==: {} --> {}".format(pkt.src, pkt.dst), flush=True)
            os.write(tun, data)
        if fd is tun:
            packet = os.read(tun, 2048)
            pkt = IP(packet)
            print("From tun ==>: {} --> {}".format(pkt.src, pkt.dst), flush=True)
            sock.sendto(packet, SERVER)
