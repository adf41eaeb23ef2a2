# language: ar
@etcd
خاصية: الـ etcd leader بس هو اللي بيكتب
  "الحد الأقصى مش مفتوح .. لسبب إن الـ writing بيكون sequential بسبب ان مسموح لـ leader etcd node فقط".
  فيه member واحد بس هو الـ leader في أي وقت؛ ولما يقع، الباقيين بينتخبوا leader جديد والـ writes بتكمل.
  وعشان كل write بيعدي على الـ leader ويستنى الـ quorum، زيادة الـ members بتزود شغل الـ replication. تلات
  clusters مفيش فرق بينهم غير عدد الـ etcd members بياخدوا نفس الـ writes عن طريق الـ API، متداخلة عشان لو
  الـ machine مشغولة تبطّأهم كلهم زي بعض؛ الـ API Server بيوقّت كل واحدة في الـ audit log بتاعه (من ساعة ما
  الـ request يوصل لحد ما الرد يتبعت) والجدول بيتحط في الـ report. ولو الـ masters stacked، كل API Server بيستخدم
  الـ member اللي على الـ master بتاعه، فاللي الـ member بتاعه كان الـ leader بيرفض الـ writes لحد ما الـ load balancer
  يشيله من الـ rotation (الـ readiness check بتاعه بيفشل): الـ writes بتكمل في خلال ثواني، مش على طول.

  @ETCD-05 @faults
  سيناريو: لما الـ leader يقع، بيتنتخب leader جديد والـ writes بتكمل
    اذاً الـ etcd cluster ليه leader واحد بس
    عندما اتعمل kill للـ etcd leader
    اذاً خلال 10 ثواني الـ etcd cluster يبقى ليه leader جديد
    و خلال 10 ثواني الـ writes عن طريق الـ API ترجع تنجح
    و كل write الـ API أكدها لسه بتتقري

  @ETCD-05 @config
  سيناريو: زيادة الـ members مبتخليش الـ writes عن طريق الـ API أسرع
    بطيء: بيشغل clusters فيها 1 و 3 و 5 etcd members حقيقيين ورا بعض، ويوقّت الـ writes على كل
    واحد فيهم.
    عندما قست الـ write latency عن طريق الـ API على clusters فيها 1 و 3 و 5 etcd members
    اذاً بتوقيت الـ API Servers، الـ writes على 3 و 5 members مش أسرع من 1 member، وعلى 5 members أبطأ
