#!/usr/bin/env python3
"""Deterministic synthetic roster for benchmarking `choucha roster` + `draw`.

Usage: gen_roster.py ACCOUNTS REGIONS OUTPUT.csv

Writes a UTF-8 CSV with the header `id,region,name,platform,operator`:
one row per registered new-media account, in random (not sorted) order.
Stdlib only; the same arguments always give the same bytes (random.Random(1)).
1,000,000 accounts in 50 regions come to about 53 MB.
"""

import os
import random
import sys

# Anhui's strata as they appear in real rosters, then synthetic ones.
REAL_REGIONS = [
    "省直厅局", "合肥市", "淮北市", "亳州市", "宿州市", "蚌埠市", "阜阳市",
    "淮南市", "滁州市", "六安市", "马鞍山市", "芜湖市", "宣城市", "铜陵市",
    "池州市", "安庆市", "黄山市",
]
PLATFORMS = ["微信", "微博", "抖音", "今日头条", "快手", "小红书"]
AGENCIES = [
    "公安", "税务", "教育", "卫健", "交通", "市场监管", "文旅", "人社", "应急",
    "生态环境", "民政", "司法", "财政", "自然资源", "住建", "水利", "农业农村",
    "商务", "审计", "统计", "医保", "消防", "气象", "档案", "政务服务",
]
SUFFIXES = ["发布", "在线", "之声", "微讯", "", "资讯", ""]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏飞宇浩然欣怡子涵晨阳思雨佳琪文博俊峰建国志远海燕晓东丹婷"


def region_names(n):
    names = REAL_REGIONS[:n]
    for i in range(len(names) + 1, n + 1):
        names.append(f"区域{i:02d}")
    return names


def short(region):
    # 合肥市 -> 合肥, 省直厅局 -> 安徽; synthetic regions get no prefix.
    if region == "省直厅局":
        return "安徽"
    if region.endswith("市"):
        return region[:-1]
    return ""


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: gen_roster.py ACCOUNTS REGIONS OUTPUT.csv")
    accounts, regions, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    if accounts < 1 or regions < 1 or accounts > 10**10:
        sys.exit("gen_roster.py: need 1 <= ACCOUNTS <= 10^10 and REGIONS >= 1")
    rng = random.Random(1)
    names = region_names(regions)
    # Unequal strata, as in practice: weights between 1 and 8.
    weights = [rng.uniform(1.0, 8.0) for _ in names]
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    # Unique ids in random order.
    ids = rng.sample(range(10**10), accounts)
    region_of = rng.choices(range(regions), cum_weights=cum, k=accounts)

    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as f:
        f.write("id,region,name,platform,operator\n")
        chunk = []
        choice = rng.choice
        for n, r in zip(ids, region_of):
            region = names[r]
            name = short(region) + choice(AGENCIES) + choice(SUFFIXES)
            operator = choice(SURNAMES) + choice(GIVEN)
            if rng.random() < 0.1:
                operator += choice(GIVEN)
            chunk.append(f"AH{n:010d},{region},{name},{choice(PLATFORMS)},{operator}\n")
            if len(chunk) >= 10000:
                f.write("".join(chunk))
                chunk.clear()
        f.write("".join(chunk))
    os.replace(tmp, out)
    size = os.path.getsize(out)
    print(f"wrote {out}: {accounts} accounts in {regions} regions, "
          f"{size} bytes ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
