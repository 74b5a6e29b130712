"""elfcore.py - reads an ELF core as ckpt writes it, for tests/cli/cores.sh:
its notes (type, owner tid for thread notes) and its memory through the
PT_LOAD headers. Standard library only; x86_64 little-endian cores.

  python3 elfcore.py notes CORE          one note type a line
  python3 elfcore.py read CORE ADDR LEN  hex of LEN bytes at ADDR
  python3 elfcore.py page CORE VADDR     index of the first non-zero page
                                         of the PT_LOAD at VADDR, or -1
"""
import struct
import sys

NAMES = {1: "PRSTATUS", 2: "FPREGSET", 3: "PRPSINFO", 6: "AUXV",
         0x202: "X86_XSTATE", 0x53494749: "SIGINFO", 0x46494c45: "FILE"}


def load(path):
    data = open(path, "rb").read()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "not ELF64"
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    phdrs = []
    for i in range(phnum):
        phdrs.append(struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize))
    return data, phdrs


def notes(path):
    data, phdrs = load(path)
    out = []
    for p_type, _, off, _, _, filesz, _, _ in phdrs:
        if p_type != 4:
            continue
        pos, end = off, off + filesz
        while pos < end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            pos += 12 + (namesz + 3) // 4 * 4
            desc = data[pos:pos + descsz]
            pos += (descsz + 3) // 4 * 4
            out.append((NAMES.get(ntype, hex(ntype)), desc))
    return out


def read(path, addr, length):
    data, phdrs = load(path)
    for p_type, _, off, vaddr, _, filesz, memsz, _ in phdrs:
        if p_type == 1 and vaddr <= addr and addr + length <= vaddr + memsz:
            rel = addr - vaddr
            if rel + length > filesz:
                return b"\0" * length
            return data[off + rel:off + rel + length]
    raise KeyError(hex(addr))


def first_page(path, vaddr):
    data, phdrs = load(path)
    for p_type, _, off, va, _, filesz, memsz, _ in phdrs:
        if p_type == 1 and va == vaddr:
            for i in range(0, filesz, 4096):
                if data[off + i:off + i + 4096].strip(b"\0"):
                    return i // 4096
            return -1
    raise KeyError(hex(vaddr))


if __name__ == "__main__":
    cmd, core = sys.argv[1], sys.argv[2]
    if cmd == "notes":
        for name, _ in notes(core):
            print(name)
    elif cmd == "read":
        print(read(core, int(sys.argv[3], 0), int(sys.argv[4], 0)).hex())
    elif cmd == "page":
        print(first_page(core, int(sys.argv[3], 0)))
