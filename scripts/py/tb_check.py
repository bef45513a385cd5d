"""An independent check of a dcgan event file: TensorBoard's Event, Summary, Value, Image and HistogramProto messages (the fields of
tensorboard/compat/proto/event.proto and summary.proto that dcgan writes) built with protobuf's descriptor API, a
bitwise CRC-32C, every record's framing and both CRCs checked, and what each tag holds printed.

  python3 scripts/py/tb_check.py runs/tiny/events.out.tfevents.<time>.<host>
Needs Debian's python3-protobuf (not needed by the build or the tests, whose reader is C++: tests/test_tensorboard.cpp).
"""
import struct, sys
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
fdp = descriptor_pb2.FileDescriptorProto(name="tb.proto", package="tensorboard", syntax="proto3")
F = descriptor_pb2.FieldDescriptorProto
O, R = F.LABEL_OPTIONAL, F.LABEL_REPEATED
def msg(name, fields):
    m = fdp.message_type.add(name=name)
    for num, fname, ftype, label, tname in fields:
        f = m.field.add(name=fname, number=num, type=ftype, label=label)
        if tname: f.type_name = tname
msg("Image", [(1,"height",F.TYPE_INT32,O,None),(2,"width",F.TYPE_INT32,O,None),(3,"colorspace",F.TYPE_INT32,O,None),(4,"encoded_image_string",F.TYPE_BYTES,O,None)])
msg("HistogramProto", [(1,"min",F.TYPE_DOUBLE,O,None),(2,"max",F.TYPE_DOUBLE,O,None),(3,"num",F.TYPE_DOUBLE,O,None),(4,"sum",F.TYPE_DOUBLE,O,None),(5,"sum_squares",F.TYPE_DOUBLE,O,None),(6,"bucket_limit",F.TYPE_DOUBLE,R,None),(7,"bucket",F.TYPE_DOUBLE,R,None)])
msg("Value", [(7,"node_name",F.TYPE_STRING,O,None),(1,"tag",F.TYPE_STRING,O,None),(2,"simple_value",F.TYPE_FLOAT,O,None),(4,"image",F.TYPE_MESSAGE,O,".tensorboard.Image"),(5,"histo",F.TYPE_MESSAGE,O,".tensorboard.HistogramProto")])
msg("Summary", [(1,"value",F.TYPE_MESSAGE,R,".tensorboard.Value")])
msg("Event", [(1,"wall_time",F.TYPE_DOUBLE,O,None),(2,"step",F.TYPE_INT64,O,None),(3,"file_version",F.TYPE_STRING,O,None),(5,"summary",F.TYPE_MESSAGE,O,".tensorboard.Summary")])
pool = descriptor_pool.DescriptorPool(); pool.Add(fdp)
Event = message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("tensorboard.Event"))
# CRC-32C, bitwise (independent of dcgan's table)
def crc32c(b):
    c = 0xffffffff
    for x in b:
        c ^= x
        for _ in range(8): c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    return c ^ 0xffffffff
def masked(b):
    c = crc32c(b); return (((c >> 15) | (c << 17)) + 0xa282ead8) & 0xffffffff
data = open(sys.argv[1], "rb").read(); i = 0; n = 0; tags = {}
while i < len(data):
    (ln,) = struct.unpack("<Q", data[i:i+8]); (lc,) = struct.unpack("<I", data[i+8:i+12])
    assert lc == masked(data[i:i+8]), "length crc"
    rec = data[i+12:i+12+ln]; (dc,) = struct.unpack("<I", data[i+12+ln:i+16+ln])
    assert dc == masked(rec), "data crc"
    e = Event(); e.ParseFromString(rec)
    if n == 0: print("first:", e.file_version, e.wall_time)
    for v in e.summary.value:
        k = v.tag
        if v.HasField("histo"):
            h = v.histo
            assert len(h.bucket) == len(h.bucket_limit) and sum(h.bucket) == h.num, k
            got = (round(h.min, 4), round(h.max, 4), int(h.num), len(h.bucket))
        elif v.HasField("image"):
            got = (v.image.height, v.image.width, v.image.encoded_image_string[:4])
        else:
            got = round(v.simple_value, 4)
        tags.setdefault(k, []).append((e.step, got))
    i += 16 + ln; n += 1
print(n, "records; tags:", {k: v[:3] for k, v in tags.items()})
