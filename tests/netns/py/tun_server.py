#!/usr/bin/python3
# The lab's tun_server.py (Task 5): a TUN interface on the VPN server, UDP port 9090, and a
# select() loop that writes every datagram into the TUN (the kernel then forwards the packet to
# V) and sends every packet read from the TUN back to the client it last heard from. Kept as the
# lab writes it. Run with /usr/bin/python3 (Debian's python3-scapy).
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

ap = argparse.ArgumentParser(description="the lab's VPN server")
ap.add_argument("--port", type=int, default=9090, help="UDP port to bind on 0.0.0.0 (9090)")
ap.add_argument("--name", default="tun%d", help="interface name template (tun%%d)")
ap.add_argument("--addr", default="192.168.53.11/24", help="TUN address (192.168.53.11/24)")
ap.add_argument("--route", action="append", default=[],
                help="route via the TUN, repeatable (Task 8: 192.168.50.0/24)")
args = ap.parse_args()

tun = os.open("/dev/net/tun", os.O_RDWR)
ifr = struct.pack('16sH', args.name.encode(), IFF_TUN | IFF_NO_PI)
ifname_bytes = fcntl.ioctl(tun, TUNSETIFF, ifr)
ifname = ifname_bytes.decode('UTF-8')[:16].strip("\x00")
print("Interface Name: {}".format(ifname), flush=True)

os.system("ip addr add {} dev {}".format(args.addr, ifname))
os.system("ip link set dev {} up".format(ifname))
for net in args.route:
    os.system("ip route add {} dev {}".format(net, ifname))

IP_A = "0.0.0.0"
PORT = args.port
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((IP_A, PORT))
peer = None
while True:
    ready, _, _ = select.select([sock, tun], [], [])
    for fd in ready:
        if fd is sock:
            data, peer = sock.recvfrom(2048)
            pkt = IP(data)
            print("From socket <==: {} --> {}".format(pkt.src, pkt.dst), flush=True)
            os.write(tun, data)
        if fd is tun:
            packet = os.read(tun, 2048)
            pkt = IP(packet)
            print("From tun ==>: {} --> {}".format(pkt.src, pkt.dst), flush=True)
            if peer is not None:
                sock.sendto(packet, peer)
