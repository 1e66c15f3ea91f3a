#!/usr/bin/env python3
"""Writes the import corpus: reports, Word documents, PDFs and sheets in the shapes offices
send, each with what a careful reader finds in it (expected.json). Every text here was written
for this corpus. Run from this folder; it needs openpyxl and LibreOffice (soffice) for the
.pdf, .xls and .ods files. The files it writes are committed, so the tests need neither."""

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = []


def expect(file, shape, problems, causes=0, measures=0, aspects=0, owners=None,
           deadlines=None, refused=None, statuses=None):
    EXPECTED.append({
        "file": file,
        "shape": shape,
        "problems": problems,
        "causes": causes,
        "measures": measures,
        "aspects": aspects,
        "owners": owners or {},
        "deadlines": deadlines or {},
        "statuses": statuses or {},
        "refused": refused,
    })


def write_text(name, text):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        f.write(text.strip("\n") + "\n")


def wrap(text, width, title=None):
    """Hard-wraps every paragraph at `width` characters, as text copied out of a PDF is,
    with page numbers and a running title every 12 lines."""
    out, count, page = [], 0, 1
    for paragraph in text.strip("\n").split("\n"):
        while paragraph:
            out.append(paragraph[:width])
            paragraph = paragraph[width:]
            count += 1
            if count % 12 == 0:
                out.append(f"- {page} -")
                page += 1
                if title:
                    out.append(title)
    return "\n".join(out)


# ---------------------------------------------------------------- reports as text

T01 = """
城西街道党工委班子2025年度民主生活会对照检查材料
按照会议安排，班子成员深入开展谈心谈话，广泛征求意见，现将对照检查情况报告如下。
一、存在的主要问题
（一）理论武装方面。一是学习计划落实打折扣，全年有四次集中学习因事务冲突推迟。二是学用结合不够紧密，运用理论分析解决实际问题的能力不足。
（二）为民服务方面。一是深入网格走访偏少，部分居民反映的诉求回应不及时。二是便民服务事项办理时限偏长，群众多次往返。三是对困难群体的常态化关爱机制不健全。
二、问题产生的根源
一是理想信念的坚定性有所弱化，认为抓经济、抓项目才是硬任务。二是宗旨意识有所淡化，站在群众角度想问题不够。三是制度执行不够严格，督促检查没有形成闭环。
三、下一步整改措施
（一）强化理论武装。严格执行学习计划，每月至少开展一次专题研讨。
（二）践行为民宗旨。班子成员每月走访网格不少于两次，建立诉求办理台账。
（三）健全长效机制。完善督查督办制度，对整改事项实行清单管理、逐项销号。
"""
write_text("t01_report.txt", T01)
expect("t01_report.txt", "report", 5, causes=3, measures=3, aspects=2)

T02 = """
关于市场监管所2025年度组织生活会查摆问题的报告
一、查摆的问题
1. 政治理论学习系统性不强，以读文件为主，研讨交流不够。
2. 执法检查存在“宽松软”现象，对轻微违法行为一罚了之、教育引导不足。
3. 窗口服务态度有待改进，群众投诉较上年增加三件。
4. 廉政风险点排查不够细，对新设岗位未及时开展风险评估。
二、原因分析
1. 对理论学习重视不够，存在重业务轻学习的倾向。
2. 担当意识不强，怕得罪人的思想仍然存在。
三、整改措施
1. 制定年度学习计划，每季度开展一次专题研讨。
2. 规范执法程序，推行说理式执法。
3. 开展窗口作风专项整治，建立投诉回访制度。
4. 全面梳理岗位廉政风险点，建立风险防控台账。
"""
write_text("t02_numbered.txt", T02)
expect("t02_numbered.txt", "report", 4, causes=2, measures=4)

T03_BODY = """
东湖社区党委关于巡察反馈意见整改的对照检查材料
一、存在问题
（一）党建引领基层治理方面。一是网格党小组作用发挥不充分，部分网格长期未开展活动，党员参与社区治理的渠道不够畅通。二是在职党员到社区报到后，服务项目认领率不高，双报到工作流于形式。
（二）民生服务保障方面。一是老旧小区改造过程中，对居民意见征求不够充分，个别楼栋改造方案调整了三次，居民满意度不高。二是社区养老服务站运营不规范，助餐服务覆盖的老年人不足三成。
二、原因剖析
一是抓党建促治理的思路不够清晰，工作停留在开会部署层面。二是服务群众的精细化程度不够，调查研究不深入。
三、整改措施
（一）推动网格党建提质。年内实现网格党小组活动全覆盖，建立在职党员服务积分制度。
（二）提升民生服务质效。改造项目实行方案公示和居民议事制度，养老服务站引入专业机构运营。
"""
write_text("t03_pdf_wrapped.txt", wrap(T03_BODY, 27, title="东湖社区党委对照检查材料"))
expect("t03_pdf_wrapped.txt", "pdf_wrapped", 4, causes=2, measures=2, aspects=2)

T04_BODY = """
县 人 社 局 领 导 班 子 专 题 民 主 生 活 会 对 照 检 查 材 料
一、对照检查的问题
（一）落实就业优先政策方面。一是援企稳岗政策宣传不到位，全县仍有 12 家符合条件的企业未申领补贴。二是零就业家庭动态清零机制不健全，个别家庭帮扶措施没有落实到人。
（二）改进工作作风方面。一是社保经办窗口“一次办好”落实不到位，群众反映材料要求不一致。二是基层调研次数少，全年班子成员到乡镇调研仅 9 次。
二、产生问题的原因
一是政治站位不够高，对就业工作的极端重要性认识不足。二是工作标准不够高，满足于完成上级下达的指标。
三、整改方向
（一）加大政策落实力度。建立企业补贴申领提醒机制，做到应享尽享。
（二）提升经办服务水平。统一窗口办事材料清单，每季度开展一次明察暗访。
"""
write_text("t04_pdf_spaces.txt", "第 1 页 共 2 页\n" + wrap(T04_BODY, 31))
expect("t04_pdf_spaces.txt", "pdf_wrapped", 4, causes=2, measures=2, aspects=2)

T05 = """
经过梳理，对照检查具体问题如下：
1、对上级决策部署的研究不够深入，传达学习多、结合实际谋划少。
2、联系服务群众不够经常，接待群众来访存在推诿现象。
3、财务报销审核把关不严，个别票据附件不全即予以报销。
4、干部教育培训针对性不强，青年干部培训需求调研不够。
5、意识形态阵地管理存在薄弱环节，微信公众号信息审核流程不完善。
"""
write_text("t05_list_lead.txt", T05)
expect("t05_list_lead.txt", "list_without_headings", 5)

T06 = """
工作还有不少差距，主要表现在：
（1）项目谋划储备不足，重大项目前期工作推进缓慢；
（2）招商引资质量不高，落地项目中高新技术企业占比偏低；
（3）营商环境仍需优化，涉企审批事项平均办理时间比全市平均水平长两天；
（4）安全生产监管存在盲区，对小微企业的检查频次不够。
"""
write_text("t06_fragment.txt", T06)
expect("t06_fragment.txt", "fragment", 4)

T07 = """
镇党委关于巡察反馈问题清单
一、理论学习方面（3条）
1.中心组学习制度执行不严格，全年学习次数未达到规定要求。
2.学习研讨质量不高，发言照本宣科现象较多。
3.对新修订党内法规的学习贯彻不及时。
二、基层党建方面（2条）
1.软弱涣散村党组织整顿进度滞后。
2.发展党员工作程序不规范，个别材料存在补签现象。
三、作风建设方面（2条）
1.文山会海问题仍然存在，部分会议可开可不开。
2.督查检查考核过多过频，基层负担较重。
"""
write_text("t07_aspect_sections.txt", T07)
expect("t07_aspect_sections.txt", "aspect_sections", 7, aspects=3)

T08 = """
区卫健委党组巡察整改问题清单
一、落实全面从严治党主体责任方面（3条）
1.党组会议研究党风廉政建设工作次数偏少。
2.对所属医院的监督检查覆盖不全。
二、选人用人方面（2条）
1.干部交流轮岗制度落实不到位，部分关键岗位人员任职超过规定年限。
2.干部档案审核工作不细致，发现问题整改不彻底。
"""
write_text("t08_aspect_count_differs.txt", T08)
expect("t08_aspect_count_differs.txt", "aspect_sections", 4, aspects=2)

T09 = ("交通运输局党组巡察整改报告 第一章 基本情况 2025年9月，市委第三巡察组对我局党组开展了常规巡察。"
       " 第二章 存在的问题及原因 2.1 政治建设方面 问题1：对行业安全生产重要指示精神学习领会不深。"
       "成因：把安全工作当作业务工作，政治站位不高。问题2：重大事项请示报告不及时。成因：制度意识淡薄。"
       " 2.2 廉政建设方面 问题3：工程项目招投标监管存在漏洞。成因：监督制约机制不健全。"
       "问题4：公务用车管理不规范，存在私车公养苗头。成因：日常监督缺位。"
       " 第三章 整改措施 3.1 开展安全生产专题学习，每季度研究一次行业安全工作。3.2 严格执行重大事项请示报告制度。"
       "3.3 完善招投标全过程监管。3.4 开展公务用车专项检查。")
write_text("t09_chapter_runon.txt", T09)
expect("t09_chapter_runon.txt", "chapter_runon", 4, causes=4, measures=4, aspects=2)

T10 = """
水务集团公司党委巡察整改落实方案
第一部分 总体要求
坚持问题导向，逐条对账销号。
第二部分 存在的问题及原因
2.1 党的领导方面
问题1：“三重一大”决策制度执行不到位，个别事项先实施后补决策程序。成因：对制度的刚性约束认识不足。
问题2：党委会议事规则修订不及时。成因：制度建设抓得不紧。
2.2 经营管理方面
问题3：应收账款清收不力，三年以上账龄款项占比较高。成因：责任没有压实到人。
第三部分 整改措施
3.1 严格执行“三重一大”决策制度，建立决策事项台账。
3.2 年底前完成党委会议事规则修订。
3.3 成立清欠专班，实行清收责任包干。
"""
write_text("t10_chapter_lines.txt", T10)
expect("t10_chapter_lines.txt", "chapter", 3, causes=3, measures=3, aspects=2)

T11 = """
关于巡察整改进展情况的通报
根据巡察反馈意见，我局共梳理问题8个，已完成整改5个，整改完成率62.5%。
一、整改工作开展情况
1.关于“理论学习中心组学习不规范”问题的整改
一是修订中心组学习制度，明确学习计划和考勤要求。二是建立学习档案，实行一季度一通报。
2.关于“政府采购程序不规范”问题的整改
一是开展政府采购专项自查。二是组织采购业务培训两期。
3.关于“干部作风不实”问题的整改
一是开展作风纪律专项整治。二是设立群众意见箱。
二、下一步工作
一是持续抓好未完成事项整改。二是建立长效机制。
"""
write_text("t11_progress_quoted.txt", T11)
expect("t11_progress_quoted.txt", "progress_report", 3)

T12 = """
关于2025年度巡察整改情况的报告
今年以来，我办认真落实巡察反馈意见，共梳理问题15个，已完成整改12个，正在整改3个，整改完成率80%。
一是加强组织领导，成立整改工作专班。二是压实整改责任，建立问题、任务、责任三张清单。三是强化督促检查，每月调度一次整改进度。
下一步，我们将持续推进剩余问题整改。
"""
write_text("t12_progress_totals.txt", T12)
expect("t12_progress_totals.txt", "progress_report", 0, refused="progress_report_only")

T13 = """
关于落实巡察反馈问题的整改方案
一、存在的问题
（一）党建工作方面
问题整改责任单位：组织部 整改时限：30天
1. 党支部“三会一课”记录不完整。
2. 党费收缴台账登记不规范。
（二）机关运转方面
责任单位：办公室；责任人：张伟；整改时限：2024年6月底前
1. 公文运转时效不高，部分文件流转超过五个工作日。
2. 会议室使用管理混乱。
3. 固定资产账实不符。
二、整改措施
1. 规范“三会一课”记录。
2. 建立党费收缴台账。
3. 实行公文限时办结制度。
4. 制定会议室预约制度。
5. 开展资产清查。
某某党委
2024年3月15日
"""
write_text("t13_group_owners.txt", T13)
expect("t13_group_owners.txt", "owners_in_document", 5, measures=5, aspects=2,
       owners={"2": "zhang.wei", "3": "zhang.wei", "4": "zhang.wei"},
       deadlines={"0": "2024-04-14", "1": "2024-04-14", "2": "2024-06-30", "3": "2024-06-30",
                  "4": "2024-06-30"})

T14 = """
关于专项检查发现问题的整改清单
一、存在问题
1. 食堂采购未执行询价比价程序。责任单位：办公室。责任人：张伟。整改时限：2024年5月31日。
2. 档案室温湿度记录缺失。责任单位：办公室。整改时限：立行立改。
3. 党员发展材料归档不及时。责任单位：组织部。责任人：李娜。整改时限：2024年9月底前。
二、整改措施
1. 建立食堂采购询价制度。
2. 配置档案室温湿度记录设备。
3. 开展党员发展材料专项清理。
"""
write_text("t14_item_owners.txt", T14)
expect("t14_item_owners.txt", "owners_in_document", 3, measures=3,
       owners={"0": "zhang.wei", "2": "li.na"},
       deadlines={"0": "2024-05-31", "2": "2024-09-30"})

T15 = """
县委第二巡察组关于巡察县农业农村局党组的反馈意见
一、巡察发现的主要问题
（一）贯彻落实党的路线方针政策方面
（1）耕地保护责任落实不到位，个别乡镇存在耕地“非粮化”现象；
（2）农业产业化项目推进缓慢，两个重点项目至今未开工；
（3）惠农资金监管不严，存在虚报冒领隐患。
（二）全面从严治党方面
（1）党组主体责任压得不实，对下属单位的监督偏软；
（2）“四风”问题仍有反弹，公务接待超标准现象时有发生。
二、整改要求
（1）压紧压实耕地保护责任，开展“非粮化”专项整治；
（2）建立重点项目推进周调度机制；
（3）开展惠农资金专项审计；
（4）制定对下属单位的监督清单；
（5）严格执行公务接待标准。
"""
write_text("t15_inspection_feedback.txt", T15)
expect("t15_inspection_feedback.txt", "inspection_feedback", 5, measures=5, aspects=2)

T16 = """
目  录
一、基本情况……………………………………1
二、存在问题……………………………………2
三、整改措施……………………………………3
图书馆党支部对照检查材料
一、基本情况
本支部现有党员18名，其中在职党员15名。
二、存在问题
一是主题党日活动形式单一，吸引力不强。二是党员志愿服务参与率不高。三是支部委员分工不明确。
三、整改措施
一是创新主题党日活动形式。二是建立志愿服务积分制度。三是明确支部委员职责分工。
"""
write_text("t16_toc.txt", T16)
expect("t16_toc.txt", "toc_and_other_sections", 3, measures=3)

# ---------------------------------------------------------------- Word documents

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def run(text):
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(text, num=None, style=None):
    ppr = ""
    if style:
        ppr += f'<w:pStyle w:val="{style}"/>'
    if num:
        ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    return f"<w:p><w:pPr>{ppr}</w:pPr>{run(text)}</w:p>" if ppr else f"<w:p>{run(text)}</w:p>"


def cell(text, vmerge=None, span=None):
    pr = ""
    if span:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        pr += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        pr += "<w:vMerge/>"
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{para(text)}</w:tc>"


def table(rows):
    body = "".join("<w:tr>" + "".join(r) + "</w:tr>" for r in rows)
    return f"<w:tbl><w:tblPr><w:tblBorders><w:top w:val=\"single\"/><w:bottom w:val=\"single\"/>" \
           f"<w:insideH w:val=\"single\"/><w:insideV w:val=\"single\"/></w:tblBorders></w:tblPr>{body}</w:tbl>"


NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering {W}>
<w:abstractNum w:abstractNumId="0">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
</w:numbering>"""

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {W}>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>
<w:rPr><w:rFonts w:eastAsia="Noto Serif CJK SC"/><w:sz w:val="28"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>
<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/>
<w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ProblemItem"><w:name w:val="Problem Item"/><w:basedOn w:val="Heading1"/>
<w:pPr><w:numPr><w:ilvl w:val="2"/></w:numPr></w:pPr></w:style>
</w:styles>"""


def docx(name, body, numbering=True):
    path = os.path.join(HERE, name)
    document = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' \
               f'<w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>'
    rels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' \
           '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    doc_rels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' \
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' \
               + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>' if numbering else "") \
               + "</Relationships>"
    types = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' \
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' \
            '<Default Extension="xml" ContentType="application/xml"/>' \
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' \
            '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>' \
            + ('<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>' if numbering else "") \
            + "</Types>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/_rels/document.xml.rels", doc_rels)
        z.writestr("word/document.xml", document)
        z.writestr("word/styles.xml", STYLES)
        if numbering:
            z.writestr("word/numbering.xml", NUMBERING)


# d01: numbered by Word (direct numbering): 一、 （一） and 1. restarting in each aspect.
D01 = "".join([
    para("机关党委领导班子对照检查材料"),
    para("存在的问题", num=(1, 0)),
    para("执行民主集中制方面", num=(1, 1)),
    para("班子议事规则落实不严格，个别事项会前沟通不充分。", num=(2, 0)),
    para("对下属支部民主生活会的指导不够。", num=(2, 0)),
    para("联系服务群众方面", num=(1, 1)),
    para("机关干部下沉社区服务次数偏少。", num=(3, 0)),
    para("群众来信办理回复不及时。", num=(3, 0)),
    para("窗口单位服务评价结果运用不够。", num=(3, 0)),
    para("产生问题的原因", num=(1, 0)),
    para("理论学习的自觉性有所减弱。", num=(4, 0)),
    para("监督问责的力度不够。", num=(4, 0)),
    para("整改措施", num=(1, 0)),
    para("完善班子议事规则", num=(1, 1)),
    para("每半年开展一次议事规则执行情况检查。"),
    para("建立下沉服务常态机制", num=(1, 1)),
    para("机关干部每月下沉社区不少于一次。"),
])
docx("d01_word_numbered.docx", D01)
expect("d01_word_numbered.docx", "word_numbered", 5, causes=2, measures=2, aspects=2)

# d02: numbered through paragraph styles (Heading1/Heading2, a style based on another).
D02 = "".join([
    para("信访局党支部对照检查材料"),
    para("存在问题", style="Heading1"),
    para("党内政治生活方面", style="Heading2"),
    para("组织生活会批评与自我批评辣味不足。", style="ProblemItem"),
    para("谈心谈话覆盖不全，与年轻党员谈心次数少。", style="ProblemItem"),
    para("业务工作方面", style="Heading2"),
    para("信访积案化解进度缓慢。", style="ProblemItem"),
    para("原因分析", style="Heading1"),
    para("一是党内政治生活不够严肃。二是工作统筹能力不强。"),
    para("整改措施", style="Heading1"),
    para("一是严肃开展批评与自我批评。二是落实谈心谈话全覆盖。三是建立积案化解专班。"),
])
docx("d02_word_styles.docx", D02)
expect("d02_word_styles.docx", "word_numbered", 3, causes=2, measures=3, aspects=2)

HEADER = ["序号", "问题类别", "问题描述", "整改措施", "责任单位", "责任人", "整改时限"]
# d03: a table of problems, one row each.
D03_ROWS = [
    HEADER,
    ["1", "制度建设", "保密管理制度未及时修订。", "修订保密管理制度", "办公室", "张伟", "2024年6月30日"],
    ["2", "制度建设", "印章使用登记不全。", "规范印章使用登记", "办公室", "张伟", "2024年4月30日"],
    ["3", "队伍建设", "年轻干部培养计划缺失。", "制定年轻干部培养计划", "组织部", "李娜", "2024年12月底前"],
    ["4", "队伍建设", "干部因私出国（境）证照管理不规范。", "开展证照集中管理", "组织部", "李娜", "立行立改"],
]
D03 = para("关于审计发现问题的整改台账") + table([[cell(c) for c in r] for r in D03_ROWS]) \
      + para("填报人：王芳  填报时间：2024年3月20日")
docx("d03_word_table.docx", D03)
expect("d03_word_table.docx", "word_table", 4, measures=4, aspects=2,
       owners={"0": "zhang.wei", "2": "li.na"},
       deadlines={"0": "2024-06-30", "1": "2024-04-30", "2": "2024-12-31"})

# d04: the category and the unit merged down their groups (vMerge), a cell spanning two.
D04_TABLE = [
    [cell(h) for h in HEADER],
    [cell("1"), cell("财务管理", "restart"), cell("差旅费报销标准执行不严。"), cell("开展差旅费自查"),
     cell("办公室", "restart"), cell("张伟"), cell("2024年5月31日")],
    [cell("2"), cell("", "continue"), cell("公务卡使用率偏低。"), cell("推行公务卡结算"),
     cell("", "continue"), cell("张伟"), cell("2024年6月30日")],
    [cell("3"), cell("党建工作", "restart"), cell("支部书记述职评议流于形式。"), cell("改进述职评议办法"),
     cell("组织部", "restart"), cell("李娜"), cell("2024年7月31日")],
    [cell("4"), cell("", "continue"), cell("党员积分管理未落实。"), cell("落实党员积分管理"),
     cell("", "continue"), cell("李娜"), cell("2024年8月31日")],
    [cell("填报人：王芳", span=7)],
]
D04 = para("专项整治问题台账") + table(D04_TABLE)
docx("d04_word_table_merged.docx", D04)
expect("d04_word_table_merged.docx", "word_table", 4, measures=4, aspects=2,
       owners={"1": "zhang.wei", "3": "li.na"},
       deadlines={"0": "2024-05-31", "3": "2024-08-31"})

# d05: numbers typed by hand, no Word numbering at all.
D05 = "".join(para(line) for line in T02.strip().split("\n"))
docx("d05_word_typed.docx", D05, numbering=False)
expect("d05_word_typed.docx", "report", 4, causes=2, measures=4)

# ---------------------------------------------------------------- sheets

def xlsx(name, rows, merges=(), number_cells=()):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "整改台账"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value != "":
                sheet.cell(row=r, column=c, value=value)
    for (r, c, value) in number_cells:
        sheet.cell(row=r, column=c, value=value)
    for m in merges:
        sheet.merge_cells(m)
    book.save(os.path.join(HERE, name))


LEDGER_HEADER = ["序号", "问题类别", "问题描述", "原因分析", "整改措施", "责任单位", "责任人", "整改时限", "整改状态", "完成情况", "销号时间"]
S01 = [
    ["城关镇2024年度巡察整改台账"],
    LEDGER_HEADER,
    ["1", "作风建设", "村级事务公开不及时。", "监督不到位", "1.建立公开清单\n2.每月检查", "办公室", "张伟", "", "", "", ""],
    ["2", "作风建设", "便民服务中心午休时段无人值守。", "制度执行不严", "实行轮班值守", "办公室", "张伟", "2024年10月底前", "", "", ""],
    ["3", "基层党建", "村党组织书记培训覆盖不全。", "统筹不够", "开展全覆盖轮训", "组织部", "李娜", "长期坚持", "", "", ""],
    ["", "", "", "", "", "", "", "", "", "", ""],
    ["填报人：王芳", "", "审核人：李强", "", "填报时间：2024年3月20日"],
]
# 2024.12 typed into a cell is a number.
xlsx("s01_ledger.xlsx", S01, number_cells=[(3, 8, 2024.12)])
expect("s01_ledger.xlsx", "ledger", 3, causes=3, measures=4, aspects=2,
       owners={"0": "zhang.wei", "2": "li.na"}, deadlines={"0": "2024-12-31", "1": "2024-10-31"})

S02 = [
    ["某某党委整改台账"],
    ["序号", "问题描述", "整改措施", "", "", "整改时限"],
    ["", "", "措施内容", "责任单位", "责任人", ""],
    ["1", "理论学习制度执行不严。", "修订学习制度", "办公室", "张伟", "2024-09-30"],
    ["2", "党员教育管理不严格。", "开展党员集中教育", "组织部", "李娜", "2024-11-30"],
]
xlsx("s02_two_row_header.xlsx", S02, merges=["A2:A3", "B2:B3", "C2:E2", "F2:F3", "A1:F1"])
expect("s02_two_row_header.xlsx", "ledger_two_row_header", 2, measures=2,
       owners={"0": "zhang.wei", "1": "li.na"}, deadlines={"0": "2024-09-30", "1": "2024-11-30"})

S03 = [
    LEDGER_HEADER,
    ["1", "整治四风", "公务接待超标准。", "纪律意识不强", "严格执行接待标准", "办公室", "张伟", "2024-06-30", "已完成", "已修订接待办法并通报", "2024-06-20"],
    ["2", "整治四风", "会议文件过多。", "作风不实", "精简会议文件", "办公室", "张伟", "2024-09-30", "正在整改", "会议数量同比下降两成", ""],
    ["3", "基层党建", "党员档案缺失。", "管理粗放", "补齐党员档案", "组织部", "李娜", "2024-12-31", "未启动", "", ""],
    ["4", "基层党建", "支部换届滞后。", "", "按期完成换届", "组织部", "李娜", "2024-12-31", "", "", ""],
]
xlsx("s03_half_done.xlsx", S03)
expect("s03_half_done.xlsx", "ledger_under_way", 4, causes=3, measures=4, aspects=2,
       owners={"0": "zhang.wei", "2": "li.na"},
       statuses={"0": "closed", "1": "in_progress", "2": "open", "3": "draft"})

S04 = [
    ["序号", "问题类别", "问题描述", "整改措施", "责任单位", "责任人", "整改时限"],
    ["1", "安全生产", "消防通道被占用。", "清理消防通道", "办公室", "张伟", "2024-05-31"],
    ["2", "", "灭火器过期未更换。", "更换灭火器", "", "张伟", ""],
    ["3", "", "应急预案未演练。", "组织应急演练", "", "张伟", ""],
    ["4", "意识形态", "宣传栏内容更新不及时。", "建立更新制度", "组织部", "李娜", "2024-07-31"],
]
xlsx("s04_merged_groups.xlsx", S04, merges=["B2:B4", "E2:E4", "G2:G4"])
expect("s04_merged_groups.xlsx", "ledger_merged", 4, measures=4, aspects=2,
       owners={"0": "zhang.wei", "3": "li.na"},
       deadlines={"0": "2024-05-31", "1": "2024-05-31", "2": "2024-05-31", "3": "2024-07-31"})

# ---------------------------------------------------------------- converted by LibreOffice

def convert(source, target_ext, filter_name):
    out = tempfile.mkdtemp()
    subprocess.run(["soffice", "--headless", "--convert-to", f"{target_ext}:{filter_name}" if filter_name else target_ext,
                    "--outdir", out, os.path.join(HERE, source)], check=True, capture_output=True)
    produced = os.path.join(out, os.path.splitext(source)[0] + "." + target_ext)
    return produced


def converted(source, target, filter_name, **expected):
    produced = convert(source, target.rsplit(".", 1)[1], filter_name)
    shutil.move(produced, os.path.join(HERE, target))
    expect(target, **expected)


converted("d01_word_numbered.docx", "p01_word_numbered.pdf", "writer_pdf_Export",
          shape="pdf", problems=5, causes=2, measures=2, aspects=2)
converted("t01_report.txt", "p02_report.pdf", "writer_pdf_Export",
          shape="pdf", problems=5, causes=3, measures=3, aspects=2)
converted("t13_group_owners.txt", "p03_group_owners.pdf", "writer_pdf_Export",
          shape="pdf", problems=5, measures=5, aspects=2,
          owners={"2": "zhang.wei", "3": "zhang.wei", "4": "zhang.wei"},
          deadlines={"0": "2024-04-14", "2": "2024-06-30"})
converted("s01_ledger.xlsx", "x01_ledger.xls", "MS Excel 97",
          shape="xls", problems=3, causes=3, measures=4, aspects=2,
          owners={"0": "zhang.wei", "2": "li.na"}, deadlines={"0": "2024-12-31"})
converted("s03_half_done.xlsx", "x02_half_done.xls", "MS Excel 97",
          shape="xls", problems=4, causes=3, measures=4, aspects=2,
          statuses={"0": "closed", "1": "in_progress", "2": "open"})
converted("s04_merged_groups.xlsx", "x03_merged_groups.xls", "MS Excel 97",
          shape="xls", problems=4, measures=4, aspects=2,
          deadlines={"1": "2024-05-31", "3": "2024-07-31"})
converted("s02_two_row_header.xlsx", "o01_two_row_header.ods", "calc8",
          shape="ods", problems=2, measures=2,
          owners={"0": "zhang.wei", "1": "li.na"}, deadlines={"1": "2024-11-30"})

# A scan: one page that is an image, no text layer (refused with no_text_layer; not in the
# table, which is about reading). Written by hand: a page, its content stream and a grey image.
def scan_pdf(width, height):
    import zlib
    pixels = zlib.compress(bytes((x * 7 + y * 3) % 256 for y in range(height) for x in range(width)))
    content = f"q {width} 0 0 {height} 0 0 cm /Im1 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
        f"/Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>".encode(),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray "
        f"/BitsPerComponent 8 /Filter /FlateDecode /Length {len(pixels)} >>\nstream\n".encode()
        + pixels + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


with open(os.path.join(HERE, "scan_no_text.pdf"), "wb") as f:
    f.write(scan_pdf(200, 280))

with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
    json.dump(EXPECTED, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(f"{len(EXPECTED)} documents")
